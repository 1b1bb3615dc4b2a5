# Golden values for a combined group of the monitor spec (tests/monitor/test_combined_groups.py):
# education "low" + "middle" joined as one group "lowmid", on tests/golden/monitor/data.csv.
# R version 4.2.2 Patched (2022-11-10 r83330), survey 4.1.1 (Debian r-cran-survey 4.1-1-1).
# Run from the repository root: Rscript tests/golden/combined/golden.R
# Writes tests/golden/combined/golden.json. Every number is R's own output; the only arithmetic
# outside `survey` is the year-on-year z test, (m2 - m1) / sqrt(se1^2 + se2^2).
suppressMessages({library(survey); library(jsonlite)})
d <- read.csv("tests/golden/monitor/data.csv")
d$nonformal <- as.numeric(d$course == 1)
d$lowmid <- d$education %in% c("low", "middle")
des <- svydesign(id = ~1, strata = ~stratum, weights = ~weight, data = d)
out <- list(R = R.version.string, survey = as.character(packageVersion("survey")))

# the union's estimate per year: svyby(~nonformal, ~year, subset(des, lowmid), svymean)
est <- svyby(~nonformal, ~year, subset(des, lowmid), svymean, na.rm = TRUE)
ci <- svyby(~nonformal, ~year, subset(des, lowmid), svyciprop, method = "logit",
            vartype = "ci", na.rm = TRUE)
out$est <- data.frame(year = est$year, estimate = est$nonformal, se = est$se,
                      ci_low = ci$ci_l, ci_high = ci$ci_u)
# year on year of the union
z <- diff(est$nonformal) / sqrt(head(est$se, -1)^2 + tail(est$se, -1)^2)
out$yoy <- data.frame(year = est$year[-1], difference = diff(est$nonformal), z = z)
# the union against the rest (high) within a year
gvr <- list()
for (y in 2016:2022) {
  m <- svyglm(nonformal ~ lowmid, design = subset(des, year == y & !is.na(nonformal)))
  cf <- summary(m)$coefficients
  gvr[[length(gvr) + 1]] <- data.frame(year = y, difference = cf[2, 1], se = cf[2, 2],
                                       t = cf[2, 3], p = cf[2, 4])
}
out$gvr <- do.call(rbind, gvr)
# trend of the union and its difference from the rest's trend
m <- svyglm(nonformal ~ year, design = subset(des, lowmid & !is.na(nonformal)))
mi <- svyglm(nonformal ~ year * lowmid, design = subset(des, !is.na(nonformal)))
c1 <- summary(m)$coefficients; ci <- summary(mi)$coefficients
out$trend <- list(slope = c1[2, 1], se = c1[2, 2], p = c1[2, 4], diff = ci[4, 1],
                  diff_se = ci[4, 2], diff_p = ci[4, 4])
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           "tests/golden/combined/golden.json")
