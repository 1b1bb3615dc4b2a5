# Golden values of the Quickscan report: an organisation of N = 15 with n = 12 answers.
# R 4.2.2, survey 4.1.1, jsonlite. Run from this folder: Rscript golden.R  (writes golden.json)
# The design: svydesign(id = ~1, fpc = ~N) (sampling without replacement from the headcount).
# Percentages: svyciprop(method = "logit") (df = degf of the (sub)design), x 100;
# scale means: svymean with confint (normal). Difference with the benchmark (independent):
# se = sqrt(se_org^2 + se_bench^2), interval diff +- qnorm(0.975) * se.
# A share of 0% or 100% (every answer the same) in a sample has design SE 0; its interval is then
# the exact Clopper-Pearson one, binom.test(x, n)$conf.int, and the difference's interval the
# conservative [lo_org - hi_bench, hi_org - lo_bench].
# The indicator definitions are written out here independently of the Python code
# (monitor spec: leercultuur/monitor/specs/default.yaml; answer codes as the Quickscan stores them).
suppressPackageStartupMessages(library(survey))
library(jsonlite)
d <- read.csv("responses.csv")
b <- read.csv("bench.csv")
# Quickscan answer codes -> harmonised scores
course <- c(1, 0)[d$course_2y]
learn <- function(x) c(3, 2, 1)[x]
aut <- function(x) c(3, 2, 1)[x]
lt <- learn(d$learn_tasks); lp <- learn(d$learn_people)
vv <- d$var_varied; vn <- d$var_learn_new; vc <- d$var_creative
a <- cbind(aut(d$aut_how), aut(d$aut_order), aut(d$aut_pace), aut(d$aut_solutions), aut(d$aut_leave))
sup <- d$sup_development
vscale <- (vv + vn + vc) / 3
ascale <- rowMeans(a)
ind <- data.frame(
  nonformal = as.numeric(course == 1),
  informal_tasks_much = as.numeric(lt == 3), informal_tasks_some = as.numeric(lt %in% c(2, 3)),
  informal_people_much = as.numeric(lp == 3), informal_people_some = as.numeric(lp %in% c(2, 3)),
  variation_varied = as.numeric(vv >= 3), variation_new = as.numeric(vn >= 3),
  variation_creative = as.numeric(vc >= 3), variation_scale = vscale,
  variation_high = as.numeric(vscale >= 3 - 1e-12),
  autonomy_how = as.numeric(a[, 1] == 3), autonomy_order = as.numeric(a[, 2] == 3),
  autonomy_pace = as.numeric(a[, 3] == 3), autonomy_solutions = as.numeric(a[, 4] == 3),
  autonomy_leave = as.numeric(a[, 5] == 3), autonomy_scale = ascale,
  autonomy_high = as.numeric(ascale >= 2.5 - 1e-12),
  support_large = as.numeric(sup == 3), support_limited = as.numeric(sup == 2),
  support_any = as.numeric(sup %in% c(2, 3))
)
means <- c("variation_scale", "autonomy_scale")
ind$team <- d$team
ind$N <- 15
des <- svydesign(id = ~1, fpc = ~N, data = ind)
q <- qnorm(0.975)
one <- function(design, v) {
  if (v %in% means) {
    m <- svymean(as.formula(paste0("~", v)), design)
    ci <- confint(m)
    c(estimate = unname(coef(m)), se = unname(SE(m)), ci_low = ci[1], ci_high = ci[2], exact = 0)
  } else {
    p <- svyciprop(as.formula(paste0("~I(", v, " == 1)")), design, method = "logit")
    ci <- confint(p)
    y <- design$variables[[v]]
    if (all(y == 1) || all(y == 0)) {  # every answer the same: exact interval
      ci <- binom.test(sum(y), length(y))$conf.int
      return(c(estimate = 100 * mean(y), se = 0, ci_low = 100 * ci[1], ci_high = 100 * ci[2],
               exact = 1))
    }
    c(100 * c(estimate = unname(coef(p)), se = unname(SE(p)), ci_low = ci[1], ci_high = ci[2]),
      exact = 0)
  }
}
out <- list(N = 15, n = nrow(ind), indicators = list(), team1 = list(), team2 = list())
for (v in setdiff(names(ind), c("team", "N"))) {
  r <- one(des, v)
  bb <- b[b$indicator == v, ]
  diff <- r[["estimate"]] - bb$estimate
  se <- sqrt(r[["se"]]^2 + bb$se^2)
  lo <- diff - q * se
  hi <- diff + q * se
  if (r[["exact"]] == 1) {
    lo <- r[["ci_low"]] - bb$ci_high
    hi <- r[["ci_high"]] - bb$ci_low
    se <- (hi - lo) / (2 * q)
  }
  out$indicators[[v]] <- list(
    estimate = r[["estimate"]], se = r[["se"]], ci_low = r[["ci_low"]], ci_high = r[["ci_high"]],
    difference = diff, difference_se = se, difference_ci_low = lo, difference_ci_high = hi
  )
  for (t in 1:2) {
    rt <- one(subset(des, team == t), v)
    out[[paste0("team", t)]][[v]] <- list(
      estimate = rt[["estimate"]], se = rt[["se"]], ci_low = rt[["ci_low"]], ci_high = rt[["ci_high"]]
    )
  }
}
writeLines(toJSON(out, digits = I(17), auto_unbox = TRUE, pretty = TRUE), "golden.json")
