# Golden values for the monitor's estimates, comparisons and trends (tests/monitor/test_golden.py).
# R version 4.2.2 Patched (2022-11-10 r83330), survey 4.1.1 (Debian r-cran-survey 4.1-1-1).
# Run from the repository root: Rscript tests/golden/monitor/golden.R
# Writes tests/golden/monitor/golden.json. Every number below is R's own output; the only
# arithmetic outside `survey` is the year-on-year z test, (m2 - m1) / sqrt(se1^2 + se2^2).
suppressMessages({library(survey); library(jsonlite)})
here <- "tests/golden/monitor"
d <- read.csv(file.path(here, "data.csv"))
d$nonformal <- as.numeric(d$course == 1)
d$varscale <- rowMeans(d[, c("var_varied", "var_new", "var_creative")])  # NA if any NA
d$tasks_much <- as.numeric(d$learn_tasks == 3)
d$low <- d$education == "low"
d$wplan <- ifelse(d$year == 2022, d$weight_half, d$weight)  # half-only item in 2022
des <- svydesign(id = ~1, strata = ~stratum, weights = ~weight, data = d)
desh <- svydesign(id = ~1, strata = ~stratum, weights = ~wplan, data = d)
out <- list(R = R.version.string, survey = as.character(packageVersion("survey")))

# estimates: svyby(~y, ~year+education, des, svymean, na.rm=TRUE) and svyciprop logit CIs
est <- svyby(~nonformal, ~year + education, des, svymean, na.rm = TRUE)
ci <- svyby(~nonformal, ~year + education, des, svyciprop, method = "logit", vartype = "ci",
            na.rm = TRUE)
out$est_nonformal <- data.frame(year = est$year, education = as.character(est$education),
  estimate = est$nonformal, se = est$se, ci_low = ci$ci_l, ci_high = ci$ci_u)
est <- svyby(~varscale, ~year, des, svymean, na.rm = TRUE)
out$est_varscale <- data.frame(year = est$year, estimate = est$varscale, se = est$se,
  ci_low = est$varscale - qnorm(0.975) * est$se, ci_high = est$varscale + qnorm(0.975) * est$se)
est <- svyby(~tasks_much, ~year, subset(desh, year %in% c(2020, 2022)), svymean, na.rm = TRUE)
out$est_tasks <- data.frame(year = est$year, estimate = est$tasks_much, se = est$se)

# group vs rest within a year: svyglm(y ~ low, subset(des, year == y & !is.na(y)))
gvr <- list()
for (y in 2016:2022) for (v in c("nonformal", "varscale")) {
  s <- subset(des, year == y & !is.na(d[[v]]))
  m <- svyglm(as.formula(paste(v, "~ low")), design = s)
  cf <- summary(m)$coefficients
  gvr[[length(gvr) + 1]] <- data.frame(year = y, variable = v, difference = cf[2, 1],
    se = cf[2, 2], t = cf[2, 3], p = cf[2, 4], df = m$df.residual)
}
out$gvr_low <- do.call(rbind, gvr)

# year on year, all employees: independent years, normal test
m <- svyby(~nonformal, ~year, des, svymean, na.rm = TRUE)
z <- diff(m$nonformal) / sqrt(head(m$se, -1)^2 + tail(m$se, -1)^2)
out$yoy_nonformal <- data.frame(year = m$year[-1], difference = diff(m$nonformal),
  se = sqrt(head(m$se, -1)^2 + tail(m$se, -1)^2), z = z, p = 2 * pnorm(-abs(z)))

# trends: svyglm(y ~ year, subset(...)), hinge at 2020, interaction with low
tr <- list()
for (v in c("nonformal", "varscale")) for (g in c("all", "low")) {
  s <- if (g == "all") subset(des, !is.na(d[[v]])) else subset(des, low & !is.na(d[[v]]))
  m <- svyglm(as.formula(paste(v, "~ year")), design = s)
  m3 <- svyglm(as.formula(paste(v, "~ year + pmax(year - 2020, 0)")), design = s)
  c1 <- summary(m)$coefficients; c3 <- summary(m3)$coefficients
  row <- data.frame(variable = v, group = g, slope = c1[2, 1], se = c1[2, 2], t = c1[2, 3],
    p = c1[2, 4], df = m$df.residual, hinge = c3[3, 1], hinge_se = c3[3, 2],
    hinge_p = c3[3, 4])
  if (g == "low") {
    mi <- svyglm(as.formula(paste(v, "~ year * low")), design = subset(des, !is.na(d[[v]])))
    ci <- summary(mi)$coefficients
    row$diff <- ci[4, 1]; row$diff_se <- ci[4, 2]; row$diff_p <- ci[4, 4]
  } else {
    row$diff <- NA; row$diff_se <- NA; row$diff_p <- NA
  }
  tr[[length(tr) + 1]] <- row
}
out$trends <- do.call(rbind, tr)
# associations: svyglm(nonformal ~ varscale + education, subset(des, year == y)), na.omit
assoc <- list()
for (y in 2016:2022) {
  m <- svyglm(nonformal ~ varscale + education, design = subset(des, year == y))
  cf <- summary(m)$coefficients
  assoc[[length(assoc) + 1]] <- data.frame(year = y, estimate = cf["varscale", 1],
    se = cf["varscale", 2], t = cf["varscale", 3], p = cf["varscale", 4], df = m$df.residual,
    n = nrow(model.frame(m)))
}
out$assoc_varscale <- do.call(rbind, assoc)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           file.path(here, "golden.json"))
