# A handful of monitor cells recomputed directly with R survey from the synthetic NEA's raw .sav
# files, with R's own reading (haven) and harmonisation written out here, independent of the
# Python codebook. Compared in tests/e2e/test_monitor_synthetic.py.
# R version 4.2.2 Patched (2022-11-10 r83330), survey 4.1.1, haven (Debian r-cran-haven).
# Usage (repository root): Rscript tests/golden/synthetic/golden.R DIR_WITH_nea_YEAR.sav VERSION
# where the files come from `leercultuur synth --years 2012-2022 --out DIR` of that version.
suppressMessages({library(survey); library(haven); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; version <- args[2]
rd <- function(y) {
  d <- as.data.frame(read_sav(file.path(dir, sprintf("nea_%d.sav", y)), user_na = FALSE))
  course <- if ("OPLCURS" %in% names(d)) d$OPLCURS else d$CURSUS2J
  aut <- sapply(c("AUT_HOE", "AUT_VOLGORDE", "AUT_TEMPO", "AUT_OPLOSS", "AUT_VERLOF"),
                function(v) 4 - as.numeric(d[[v]]))  # raw 1 regelmatig .. 3 nee -> CBS 3..1
  data.frame(year = y, stratum = paste(y, d$STRATUM, sep = "-"), weight = d$WEGING,
    weight_half = if (y >= 2022) d$WEGING_H else d$WEGING,
    nonformal = as.numeric(course == 1),
    low = as.numeric(d$OPLNIV) <= 2,
    support_large = as.numeric(d$LG_STIMULEERT == 3),
    autonomy_high = as.numeric(rowMeans(aut) >= 2.5))
}
d <- do.call(rbind, lapply(2012:2022, rd))
des <- svydesign(id = ~1, strata = ~stratum, weights = ~weight, data = d)
out <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
            generator = version)
m <- svyby(~nonformal, ~year, des, svymean, na.rm = TRUE)
out$nonformal <- data.frame(year = m$year, estimate = m$nonformal, se = m$se)
s <- subset(des, year == 2022 & !is.na(nonformal))
cf <- summary(svyglm(nonformal ~ low, design = s))$coefficients
out$gvr_low_2022 <- list(difference = cf[2, 1], se = cf[2, 2], t = cf[2, 3], p = cf[2, 4])
cf <- summary(svyglm(nonformal ~ year, design = subset(des, !is.na(nonformal))))$coefficients
out$trend <- list(slope = cf[2, 1], se = cf[2, 2], p = cf[2, 4])
dh <- svydesign(id = ~1, strata = ~stratum, weights = ~weight_half, data = d)
m <- svymean(~support_large, subset(dh, year == 2022), na.rm = TRUE)
out$support_large_2022 <- list(estimate = unname(coef(m)), se = as.numeric(SE(m)))
m <- svymean(~autonomy_high, subset(des, year == 2022), na.rm = TRUE)
out$autonomy_high_2022 <- list(estimate = unname(coef(m)), se = as.numeric(SE(m)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/golden/synthetic/golden.json")
