# Golden values for the journey on a user's own extract (tests/e2e/test_own_files.py).
# R version 4.2.2 Patched (2022-11-10 r83330), survey 4.1.1, haven 2.5.1 (Debian packages).
# Run from the repository root: Rscript tests/golden/ownfiles/golden.R
# Reads tests/golden/ownfiles/werknemers.sav (written by make_extract.py) with haven, as a user
# would; writes golden.json next to it. The stratum 'strat' is a plain integer 1..6 repeated
# every year: each year is its own sample, so the design's strata are interaction(jaar, strat).
# Every number is R's own output; the only arithmetic outside `survey` is the year-on-year z
# test of independent years, (m2 - m1) / sqrt(se1^2 + se2^2).
suppressMessages({library(survey); library(haven); library(jsonlite)})
options(survey.lonely.psu = "adjust")  # the spec's default lonely_psu
here <- "tests/golden/ownfiles"
d <- as.data.frame(zap_labels(read_sav(file.path(here, "werknemers.sav"))))  # 9 -> NA (user missing)
d$nonformal <- as.numeric(d$cursus == 1)
d$low <- d$opleiding == 1
designs <- list(
  element = svydesign(ids = ~1, strata = ~interaction(jaar, strat), weights = ~gewicht, data = d),
  cluster = svydesign(ids = ~cluster, strata = ~interaction(jaar, strat), weights = ~gewicht,
                      nest = TRUE, data = d)
)
out <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
            haven = as.character(packageVersion("haven")))
for (name in names(designs)) {
  des <- designs[[name]]
  res <- list()
  # course participation per year: svymean and svyciprop(logit) per year
  est <- svyby(~nonformal, ~jaar, des, svymean, na.rm = TRUE)
  ci <- svyby(~nonformal, ~jaar, des, svyciprop, method = "logit", vartype = "ci", na.rm = TRUE)
  res$est <- data.frame(year = est$jaar, estimate = est$nonformal, se = est$se,
                        ci_low = ci$ci_l, ci_high = ci$ci_u)
  # per education level (codes 1 laag, 2 middelbaar, 3 hoog)
  est <- svyby(~nonformal, ~jaar + opleiding, des, svymean, na.rm = TRUE)
  res$est_edu <- data.frame(year = est$jaar, code = est$opleiding, estimate = est$nonformal,
                            se = est$se)
  # year on year: independent years, normal test
  m <- svyby(~nonformal, ~jaar, des, svymean, na.rm = TRUE)
  se <- sqrt(head(m$se, -1)^2 + tail(m$se, -1)^2)
  z <- diff(m$nonformal) / se
  res$yoy <- data.frame(year = m$jaar[-1], difference = diff(m$nonformal), se = se, z = z,
                        p = 2 * pnorm(-abs(z)))
  # trend B and the slope change at 2020
  s <- subset(des, !is.na(nonformal))
  m1 <- svyglm(nonformal ~ jaar, design = s)
  m3 <- svyglm(nonformal ~ jaar + pmax(jaar - 2020, 0), design = s)
  c1 <- summary(m1)$coefficients; c3 <- summary(m3)$coefficients
  res$trend <- data.frame(slope = c1[2, 1], se = c1[2, 2], t = c1[2, 3], p = c1[2, 4],
                          df = m1$df.residual, hinge = c3[3, 1], hinge_se = c3[3, 2],
                          hinge_p = c3[3, 4])
  # low education against the rest within each year, and its difference in trend
  gvr <- list()
  for (y in sort(unique(d$jaar))) {
    sy <- subset(des, jaar == y & !is.na(nonformal))
    mg <- svyglm(nonformal ~ low, design = sy)
    cf <- summary(mg)$coefficients
    gvr[[length(gvr) + 1]] <- data.frame(year = y, difference = cf[2, 1], se = cf[2, 2],
                                         t = cf[2, 3], p = cf[2, 4], df = mg$df.residual)
  }
  res$gvr_low <- do.call(rbind, gvr)
  mi <- svyglm(nonformal ~ jaar * low, design = s)
  ci <- summary(mi)$coefficients
  res$trend_diff_low <- data.frame(diff = ci[4, 1], se = ci[4, 2], p = ci[4, 4])
  out[[name]] <- res
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(here, "golden.json"))
