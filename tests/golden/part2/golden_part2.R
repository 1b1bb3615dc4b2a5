# Golden values for survey engine part 2 (group vs rest, year on year, trend).
# R 4.2.2, survey 4.1.1. Run from this folder: Rscript golden_part2.R
# Writes values_*.csv (15 significant digits) that the tests read; CI has no R.
#
# Conventions (the tests rely on them):
# * "Subset design" below always means R's subset(des, <cond>), i.e. des[<cond>, ]
#   (`[.survey.design2` with drop=TRUE): the rows go, fpc$sampsize (PSUs per stratum) stays that
#   of the full design, degf() counts the PSUs/strata left. Rows with a missing analysis variable
#   are removed through the same subset (`!is.na(y)` in the condition), which is what svyglm's
#   na.action would do as well.
# * Effect sizes are computed from svytotal() of helper columns and svycontrast() (delta method,
#   with the full covariance), so the SEs of d and h are R's, not ours re-derived.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
stopifnot(packageVersion("survey") == "4.1.1")

source("golden_part2_functions.R")

# Missing values are empty fields in the CSV (pandas); for character columns read.csv needs
# na.strings = "" to see them as NA.
syn <- read.csv("data/synth_years.csv", stringsAsFactors = FALSE, na.strings = c("", "NA"))
stopifnot(sum(is.na(syn$cat)) == 368, sum(is.na(syn$y)) == 429)
syn$hi <- ifelse(is.na(syn$cat), NA, as.numeric(syn$cat == "hi"))
syn$hi100 <- 100 * syn$hi
# Full stacked design: strata = year x stratum (the "stratum" column is year-specific), PSU ids
# unique across strata.
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = syn)

write.csv(gvr(des, "y", "grp", within = "year"), "values_gvr_synth_mean.csv", row.names = FALSE)
write.csv(gvr(des, "hi", "grp", within = "year", kind = "proportion"),
          "values_gvr_synth_prop.csv", row.names = FALSE)
write.csv(yoy(des, "y", "year"), "values_yoy_synth_mean.csv", row.names = FALSE)
write.csv(yoy(des, "hi", "year", byv = "grp", kind = "proportion"),
          "values_yoy_synth_prop_by.csv", row.names = FALSE)
write.csv(trend_r(des, "y", "year", k = 2018), "values_trend_synth_mean.csv", row.names = FALSE)
write.csv(trend_r(des, "hi100", "year", byv = "grp", k = 2019, kind = "proportion"),
          "values_trend_synth_prop_by.csv", row.names = FALSE)
write.csv(trend_diff_r(des, "y", "year", "grp"), "values_trenddiff_synth_mean.csv", row.names = FALSE)

data(api)
apistrat$yes <- as.numeric(apistrat$awards == "Yes")
apiclus1$yes <- as.numeric(apiclus1$awards == "Yes")
apiclus2$yes <- as.numeric(apiclus2$awards == "Yes")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus2 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus2)  # first stage only (ultimate cluster)
write.csv(gvr(dstrat, "api00", "stype"), "values_gvr_apistrat_mean.csv", row.names = FALSE)
write.csv(gvr(dstrat, "yes", "stype", kind = "proportion"), "values_gvr_apistrat_prop.csv", row.names = FALSE)
write.csv(gvr(dclus1, "api00", "stype"), "values_gvr_apiclus1_mean.csv", row.names = FALSE)
write.csv(gvr(dclus2, "api00", "stype"), "values_gvr_apiclus2_mean.csv", row.names = FALSE)  # api00 has no NA
write.csv(gvr(dclus2, "yes", "stype", kind = "proportion"), "values_gvr_apiclus2_prop.csv", row.names = FALSE)
