# Golden values for leercultuur.survey weighting (calibrate / rake / trim_weights).
# Written with R 4.2.2 Patched (2022-11-10 r83330) and survey 4.1.1; run from this folder:
#   Rscript make_golden.R
# Writes weighting_golden.json (weights and SEs, 17 significant digits) and synth_sample.csv
# (the small synthetic design the last cases use), apistrat.csv and apiclus1.csv (columns used). CI has no R: tests read the committed files.
suppressMessages(library(survey))
library(jsonlite)
data(api)
options(survey.lonely.psu = "fail")

est <- function(x) list(estimate = unname(coef(x)), se = unname(SE(x)), names = names(coef(x)))
byest <- function(x) list(estimate = unname(coef(x)), se = unname(SE(x)), names = names(coef(x)))

out <- list()
cols <- c("cds", "dnum", "stype", "sch.wide", "comp.imp", "awards", "api99", "api00", "enroll",
  "pw", "fpc")
write.csv(apistrat[, cols], "apistrat.csv", row.names = FALSE)
write.csv(apiclus1[, cols], "apiclus1.csv", row.names = FALSE)
pop_schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
pop_awards <- data.frame(awards = c("No", "Yes"), Freq = c(2027, 4167))
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))

api_stats <- function(d) list(
  weights = unname(weights(d)),
  mean_api00 = est(svymean(~api00, d)),
  total_enroll = est(svytotal(~enroll, d)),
  mean_awards = est(svymean(~awards, d)),
  by_comp_imp_api00 = byest(svyby(~api00, ~comp.imp, d, svymean))
)

# apistrat: stratified by stype with fpc
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
out$strat_base <- api_stats(dstrat)
d <- calibrate(dstrat, ~sch.wide + api99, c(`(Intercept)` = 6194, sch.wideYes = 5122,
  api99 = 3914069), calfun = "linear", epsilon = 1e-12, maxit = 200)
out$strat_linear <- api_stats(d)
d <- calibrate(dstrat, list(~sch.wide, ~awards), list(pop_schwide, pop_awards),
  calfun = "raking", epsilon = 1e-12, maxit = 200)
out$strat_raking <- api_stats(d)
d <- calibrate(dstrat, list(~sch.wide, ~awards), list(pop_schwide, pop_awards),
  calfun = "linear", bounds = c(0.8, 1.2), epsilon = 1e-12, maxit = 200)
out$strat_linear_bounded <- api_stats(d)

# apiclus1: one-stage cluster sample of districts with fpc
dclus <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
d <- calibrate(dclus, list(~stype, ~sch.wide), list(pop_stype, pop_schwide),
  calfun = "raking", epsilon = 1e-12, maxit = 200)
out$clus_raking <- api_stats(d)
dt <- trimWeights(d, upper = 40, lower = 30)
out$clus_raking_trim <- api_stats(dt)
dts <- trimWeights(d, upper = 40, lower = 30, strict = TRUE)
out$clus_raking_trim_strict <- api_stats(dts)
d <- calibrate(dclus, list(~stype, ~sch.wide), list(pop_stype, pop_schwide),
  calfun = "logit", bounds = c(0.5, 2), epsilon = 1e-12, maxit = 200)
out$clus_logit <- api_stats(d)
# calibrating a calibrated design: residuals of both calibrations, in order
d2 <- calibrate(out_clus <- calibrate(dclus, list(~stype, ~sch.wide), list(pop_stype,
  pop_schwide), calfun = "raking", epsilon = 1e-12, maxit = 200),
  ~api99, c(`(Intercept)` = 6194, api99 = 3914069), calfun = "linear")
out$clus_raking_then_linear <- api_stats(d2)

# A small synthetic stratified cluster sample: 5 strata x 6 PSUs x 20 units
set.seed(20261128)
n <- 600
syn <- data.frame(
  stratum = rep(1:5, each = 120),
  psu = rep(1:30, each = 20),
  sex = sample(c("m", "f"), n, TRUE, prob = c(0.55, 0.45)),
  age = sample(c("15-34", "35-54", "55-74"), n, TRUE, prob = c(0.3, 0.45, 0.25)),
  edu = sample(c("low", "middle", "high"), n, TRUE, prob = c(0.25, 0.45, 0.30)),
  region = sample(c("N", "O", "W", "Z"), n, TRUE)
)
syn$w0 <- c(80, 120, 150, 95, 200)[syn$stratum] * runif(n, 0.8, 1.25)
syn$y <- round(10 + 2 * (syn$edu == "high") - 1.5 * (syn$age == "55-74") + rnorm(n, 0, 3), 6)
syn$b <- as.integer(runif(n) < plogis(-0.3 + 0.8 * (syn$edu == "high") - 0.5 * (syn$age == "55-74")))
syn$w0 <- round(syn$w0, 6)
write.csv(syn, "synth_sample.csv", row.names = FALSE)
syn <- read.csv("synth_sample.csv")
pop_sexage <- data.frame(expand.grid(sex = c("f", "m"), age = c("15-34", "35-54", "55-74")),
  Freq = c(14000, 15500, 16000, 19000, 9000, 11500))
pop_edu <- data.frame(edu = c("high", "low", "middle"), Freq = c(30000, 17000, 38000))
dsyn <- svydesign(id = ~psu, strata = ~stratum, weights = ~w0, data = syn)
syn_stats <- function(d) list(
  weights = unname(weights(d)),
  mean_y = est(svymean(~y, d)),
  total_y = est(svytotal(~y, d)),
  mean_b = est(svymean(~b, d)),
  total_b = est(svytotal(~b, d)),
  by_region_y = byest(svyby(~y, ~region, d, svymean)),
  by_region_b_total = byest(svyby(~b, ~region, d, svytotal))
)
d <- calibrate(dsyn, list(~sex + age, ~edu), list(pop_sexage, pop_edu),
  calfun = "raking", epsilon = 1e-12, maxit = 200)
out$syn_raking <- syn_stats(d)
d <- calibrate(dsyn, list(~sex + age, ~edu), list(pop_sexage, pop_edu),
  calfun = "linear", epsilon = 1e-12, maxit = 200)
out$syn_linear <- syn_stats(d)

out$meta <- list(R = R.version.string, survey = as.character(packageVersion("survey")))
writeLines(toJSON(out, digits = I(17), auto_unbox = TRUE), "weighting_golden.json")
