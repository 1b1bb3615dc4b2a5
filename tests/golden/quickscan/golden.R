# Golden values of the Quickscan report: an organisation of N = 15 with n = 12 answers.
# R 4.2.2, survey 4.1.1, jsonlite. Run from this folder: Rscript golden.R  (writes golden.json)
# The design: svydesign(id = ~1, fpc = ~N) (sampling without replacement from the headcount).
# Percentages: svyciprop(method = "logit") (df = degf of the (sub)design), x 100;
# scale means: svymean with confint (normal). Difference with the benchmark (independent):
# se = sqrt(se_org^2 + se_bench^2), interval diff +- qnorm(0.975) * se.
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
    c(estimate = unname(coef(m)), se = unname(SE(m)), ci_low = ci[1], ci_high = ci[2])
  } else {
    p <- svyciprop(as.formula(paste0("~I(", v, " == 1)")), design, method = "logit")
    ci <- confint(p)
    100 * c(estimate = unname(coef(p)), se = unname(SE(p)), ci_low = ci[1], ci_high = ci[2])
  }
}
out <- list(N = 15, n = nrow(ind), indicators = list(), team1 = list(), team2 = list())
for (v in setdiff(names(ind), c("team", "N"))) {
  r <- one(des, v)
  bb <- b[b$indicator == v, ]
  diff <- r[["estimate"]] - bb$estimate
  se <- sqrt(r[["se"]]^2 + bb$se^2)
  out$indicators[[v]] <- list(
    estimate = r[["estimate"]], se = r[["se"]], ci_low = unname(r[3]), ci_high = unname(r[4]),
    difference = diff, difference_se = se, difference_ci_low = diff - q * se,
    difference_ci_high = diff + q * se
  )
  for (t in 1:2) {
    rt <- one(subset(des, team == t), v)
    out[[paste0("team", t)]][[v]] <- list(
      estimate = rt[["estimate"]], se = rt[["se"]], ci_low = unname(rt[3]), ci_high = unname(rt[4])
    )
  }
}
writeLines(toJSON(out, digits = I(17), auto_unbox = TRUE, pretty = TRUE), "golden.json")
