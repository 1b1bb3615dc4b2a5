# R's values for the agreement tests (tests/survey/test_agreement.py).
# R 4.2.2, survey 4.1.1. Run from this folder: Rscript golden.R  (data.csv from make_data.py)
# Writes golden.csv (17 significant digits): per offset (0, 1e6, 1e9 added to y and yk) and
# variable, the domain means and totals by year x g, each group against the rest within each
# year (svyglm on the year's subset) and each group's trend (svyglm(v ~ year) on its subset).
# Design: element sample (each row its own PSU), strata nested in years, one lonely stratum
# ("adjust", R 4.1's rule).
suppressMessages(library(survey))
stopifnot(packageVersion("survey") == "4.1.1")
options(survey.lonely.psu = "adjust", digits = 17)

base <- read.csv("data.csv", stringsAsFactors = FALSE)
out <- list()
add <- function(...) out[[length(out) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)

for (offset in c(0, 1e6, 1e9)) {
  d <- base
  d$y <- d$y + offset
  d$yk <- d$yk + offset
  des <- svydesign(id = ~1, strata = ~stratum, weights = ~w, data = d)
  for (v in c("y", "yk")) {
    f <- as.formula(paste0("~", v))
    for (stat in c("mean", "total")) {
      fun <- if (stat == "mean") svymean else svytotal
      r <- svyby(f, ~year + g, des, fun)
      add(offset = offset, variable = v, quantity = stat, year = r$year, group = r$g,
          estimate = r[[v]], se = SE(r), df = NA)
    }
    for (yr in sort(unique(d$year))) {
      sub <- subset(des, year == yr)
      for (grp in sort(unique(d$g))) {
        sub2 <- update(sub, D = as.numeric(g == grp))
        m <- svyglm(as.formula(paste(v, "~ D")), sub2)
        add(offset = offset, variable = v, quantity = "group_vs_rest", year = yr, group = grp,
            estimate = coef(m)[["D"]], se = SE(m)[["D"]], df = m$df.residual)
      }
    }
    for (grp in sort(unique(d$g))) {
      m <- svyglm(as.formula(paste(v, "~ year")), subset(des, g == grp))
      add(offset = offset, variable = v, quantity = "trend", year = NA, group = grp,
          estimate = coef(m)[["year"]], se = SE(m)[["year"]], df = m$df.residual)
    }
  }
}
res <- do.call(rbind, out)
write.csv(format(res, digits = 17), "golden.csv", row.names = FALSE, quote = TRUE)
