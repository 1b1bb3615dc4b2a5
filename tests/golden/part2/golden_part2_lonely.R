# Lonely-PSU goldens for group_vs_rest, trend and svychisq (survey engine part 2).
# R 4.2.2, survey 4.1.1. Run from this folder after golden_part2.R: Rscript golden_part2_lonely.R
# For "yoy" rows the d_se column holds h_se.
# Data: synth_years.csv with every PSU but the first dropped in strata 2016-1 and 2019-3 (so
# those strata have one PSU in the full design and in every subset of their year).
suppressMessages(library(survey))
stopifnot(packageVersion("survey") == "4.1.1")
source("golden_part2_functions.R")  # gvr() and trend_r()
syn <- read.csv("data/synth_years.csv", stringsAsFactors = FALSE, na.strings = c("", "NA"))
syn <- syn[!(syn$stratum %in% c("2016-1", "2019-3") & !grepl("-1$", syn$psu)), ]
stopifnot(nrow(syn) == 6673)
syn$hi <- ifelse(is.na(syn$cat), NA, as.numeric(syn$cat == "hi"))
out <- list()
for (rule in c("adjust", "average", "remove")) {
  options(survey.lonely.psu = rule)
  des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = syn)
  g <- gvr(des, "y", "grp", within = "year")
  t <- trend_r(des, "y", "year")
  yy <- yoy(des, "hi", "year", byv = "grp", kind = "proportion")
  ch <- svychisq(~cat + grp, des)  # statistic = "F"
  out[[rule]] <- rbind(
    data.frame(rule = rule, what = "gvr", key = paste(g$within, g$group), difference = g$difference,
               se = g$se, d_se = g$d_se, df = g$df),
    data.frame(rule = rule, what = "yoy", key = paste(yy$group, yy$year_from),
               difference = yy$difference, se = yy$se, d_se = yy$h_se, df = yy$df),
    data.frame(rule = rule, what = "trend", key = "all", difference = t$slope, se = t$se,
               d_se = NA, df = t$df),
    data.frame(rule = rule, what = "chisqF", key = "cat x grp", difference = unname(ch$statistic),
               se = unname(ch$parameter["ndf"]), d_se = unname(ch$parameter["ddf"]), df = NA))
}
res <- do.call(rbind, out)
for (k in c("difference", "se", "d_se")) res[[k]] <- signif(res[[k]], 15)
write.csv(res, "values_lonely.csv", row.names = FALSE)
