# Golden values for chisq, ttest, regress and wald_test (survey engine part 2).
# R 4.2.2, survey 4.1.1. Run from this folder: Rscript golden_part2_tests.R
# Each value names its exact R call in the `call` column of the CSV files written here.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
stopifnot(packageVersion("survey") == "4.1.1")
s15 <- function(x) signif(x, 15)

syn <- read.csv("data/synth_years.csv", stringsAsFactors = FALSE, na.strings = c("", "NA"))
syn$ab <- ifelse(syn$grp %in% c("a", "b"), "ab", "cd")
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = syn)
d16 <- subset(des, year == 2016)  # subset design: keeps all PSU counts, drops the other rows
data(api)
apistrat$yes <- as.numeric(apistrat$sch.wide == "Yes")
apiclus1$yes <- as.numeric(apiclus1$sch.wide == "Yes")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus2 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus2)

# ---- chisq: svychisq(formula, design, statistic = ...) and the classic Pearson test
chis <- list()
add_chisq <- function(id, call, x) {
  p <- x$parameter
  chis[[length(chis) + 1]] <<- data.frame(id = id, call = call,
    statistic = s15(unname(x$statistic)),
    ndf = if ("ndf" %in% names(p)) s15(unname(p["ndf"])) else NA,
    ddf = if ("ddf" %in% names(p)) s15(unname(p["ddf"])) else NA,
    df = if ("df" %in% names(p)) s15(unname(p["df"])) else NA,
    p_value = s15(unname(x$p.value)))
}
cases <- list(
  list("apistrat_schwide_stype", quote(~sch.wide + stype), quote(dstrat)),
  list("apiclus1_schwide_stype", quote(~sch.wide + stype), quote(dclus1)),
  list("apiclus2_awards_stype", quote(~awards + stype), quote(dclus2)),
  list("synth_cat_grp_full", quote(~cat + grp), quote(des)),   # 368 rows with cat NA stay in N
  list("synth_cat_grp_2016", quote(~cat + grp), quote(d16))    # subset(des, year == 2016)
)
for (cs in cases) {
  for (st in c("F", "Chisq", "Wald")) {
    call <- sprintf("svychisq(%s, %s, statistic='%s')", deparse(cs[[2]]), deparse(cs[[3]]), st)
    add_chisq(paste(cs[[1]], st, sep = "_"), call,
              eval(bquote(svychisq(.(cs[[2]]), .(cs[[3]]), statistic = .(st)))))
  }
}
# classic: Pearson on proportional weights (mean 1 over the complete rows of the table)
classic <- function(df, r, c, w) {
  ok <- !is.na(df[[r]]) & !is.na(df[[c]])
  d <- df[ok, ]
  d$wn <- d[[w]] / mean(d[[w]])
  suppressWarnings(chisq.test(xtabs(as.formula(sprintf("wn ~ %s + %s", r, c)), d), correct = FALSE))
}
add_chisq("apistrat_schwide_stype_classic",
          "chisq.test(xtabs(wn ~ sch.wide + stype, apistrat), correct=FALSE), wn = pw/mean(pw)",
          classic(apistrat, "sch.wide", "stype", "pw"))
add_chisq("synth_cat_grp_full_classic",
          "chisq.test(xtabs(wn ~ cat + grp, syn[complete, ]), correct=FALSE), wn = w/mean(w) over complete rows",
          classic(syn, "cat", "grp", "w"))
write.csv(do.call(rbind, chis), "values_chisq.csv", row.names = FALSE)

# ---- ttest: svyttest(y ~ g, design); rows with y missing dropped by svyglm's na.action
tts <- list()
add_tt <- function(id, call, x) {
  tts[[length(tts) + 1]] <<- data.frame(id = id, call = call, difference = s15(unname(x$estimate)),
    t = s15(unname(x$statistic)), df = unname(x$parameter), p_value = s15(x$p.value))
}
add_tt("apistrat_api00_schwide", "svyttest(api00 ~ sch.wide, dstrat)", svyttest(api00 ~ sch.wide, dstrat))
add_tt("apiclus1_api00_schwide", "svyttest(api00 ~ sch.wide, dclus1)", svyttest(api00 ~ sch.wide, dclus1))
add_tt("synth_y_ab", "svyttest(y ~ ab, des)", svyttest(y ~ ab, des))
add_tt("synth_y_ab_2016", "svyttest(y ~ ab, subset(des, year == 2016))", svyttest(y ~ ab, d16))
write.csv(do.call(rbind, tts), "values_ttest.csv", row.names = FALSE)

# ---- regress: svyglm; wald_test: regTermTest(model, terms) (Wald F on model$df.residual)
regs <- list(); walds <- list()
add_reg <- function(id, call, m) {
  cf <- coef(summary(m))
  regs[[length(regs) + 1]] <<- data.frame(id = id, call = call, term = rownames(cf),
    estimate = s15(cf[, 1]), se = s15(cf[, 2]), t = s15(cf[, 3]), p_value = s15(cf[, 4]),
    df = m$df.residual)
}
add_wald <- function(id, call, r) {
  walds[[length(walds) + 1]] <<- data.frame(id = id, call = call, statistic = s15(r$Ftest[1]),
    ndf = r$df, ddf = r$ddf, p_value = s15(r$p[1]))
}
m1 <- svyglm(api00 ~ ell + meals + stype, dstrat)
add_reg("apistrat_gauss", "svyglm(api00 ~ ell + meals + stype, dstrat)", m1)
add_wald("apistrat_gauss_stype", "regTermTest(m, ~stype)", regTermTest(m1, ~stype))
add_wald("apistrat_gauss_ell_meals", "regTermTest(m, c('ell', 'meals'))", regTermTest(m1, c("ell", "meals")))
m2 <- svyglm(api00 ~ ell + mobility + stype, dclus2)
add_reg("apiclus2_gauss", "svyglm(api00 ~ ell + mobility + stype, dclus2)", m2)
m3 <- svyglm(y ~ x1 + grp + year, des)  # 429 rows with y missing dropped (design keeps PSU counts)
add_reg("synth_gauss", "svyglm(y ~ x1 + grp + year, des)", m3)
add_wald("synth_gauss_grp", "regTermTest(m, ~grp)", regTermTest(m3, ~grp))
m4 <- svyglm(yes ~ ell + meals + stype, dstrat, family = quasibinomial())
add_reg("apistrat_logit", "svyglm(yes ~ ell + meals + stype, dstrat, family=quasibinomial())", m4)
add_wald("apistrat_logit_stype", "regTermTest(m, ~stype)", regTermTest(m4, ~stype))
m5 <- svyglm(bin ~ x1 + grp, des, family = quasibinomial())
add_reg("synth_logit", "svyglm(bin ~ x1 + grp, des, family=quasibinomial())", m5)
m6 <- svyglm(yes ~ api00 + stype, dclus1, family = quasibinomial())
add_reg("apiclus1_logit", "svyglm(yes ~ api00 + stype, dclus1, family=quasibinomial())", m6)
m7 <- svyglm(api00 ~ ell + meals, subset(dstrat, stype != "E"))  # subset design keeps PSU counts
add_reg("apistrat_gauss_subset", "svyglm(api00 ~ ell + meals, subset(dstrat, stype != 'E'))", m7)
m8 <- svyglm(bin ~ x1, subset(des, year >= 2019), family = quasibinomial())
add_reg("synth_logit_subset", "svyglm(bin ~ x1, subset(des, year >= 2019), family=quasibinomial())", m8)
write.csv(do.call(rbind, regs), "values_regress.csv", row.names = FALSE)
write.csv(do.call(rbind, walds), "values_wald.csv", row.names = FALSE)

# ---- p.adjust(p, "BH") with a missing value
p <- c(0.01, 0.04, 0.03, NA, 0.2, 0.001, 0.04, 0.5)
write.csv(data.frame(p = p, bh = s15(p.adjust(p, "BH"))), "values_bh.csv", row.names = FALSE)

# ---- chisq_within: svychisq(~cat + grp, subset(des, year == v), statistic = st) for each year;
# classic: chisq.test(xtabs(wn ~ cat + grp, complete rows of year v)), wn = w / mean(w) there.
cw <- list()
for (v in sort(unique(syn$year))) {
  dv <- subset(des, year == v)
  for (st in c("F", "Chisq", "Wald")) {
    x <- svychisq(~cat + grp, dv, statistic = st)
    p <- x$parameter
    cw[[length(cw) + 1]] <- data.frame(year = v, method = st, statistic = s15(unname(x$statistic)),
      ndf = if ("ndf" %in% names(p)) s15(unname(p["ndf"])) else NA,
      ddf = if ("ddf" %in% names(p)) s15(unname(p["ddf"])) else NA,
      df = if ("df" %in% names(p)) unname(p["df"]) else NA, p_value = s15(x$p.value))
  }
  x <- classic(syn[syn$year == v, ], "cat", "grp", "w")
  cw[[length(cw) + 1]] <- data.frame(year = v, method = "classic", statistic = s15(unname(x$statistic)),
    ndf = NA, ddf = NA, df = unname(x$parameter), p_value = s15(x$p.value))
}
write.csv(do.call(rbind, cw), "values_chisq_within.csv", row.names = FALSE)

# ---- wald_groups: regTermTest(svyglm(y ~ grp, subset(des, year == v & !is.na(y))), ~grp) per year
# (and the share of cat == "hi" with hi = NA where cat is NA), Wald F on model$df.residual.
syn$hi <- ifelse(is.na(syn$cat), NA, as.numeric(syn$cat == "hi"))
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = syn)
wg <- list()
for (var in c("y", "hi")) for (v in sort(unique(syn$year))) {
  dv <- des[!is.na(des$variables[[var]]) & des$variables$year == v, ]
  m <- svyglm(as.formula(paste(var, "~ grp")), dv)
  r <- regTermTest(m, ~grp)
  wg[[length(wg) + 1]] <- data.frame(var = var, year = v, statistic = s15(r$Ftest[1]), ndf = r$df,
                                     ddf = r$ddf, p_value = s15(r$p[1]))
}
write.csv(do.call(rbind, wg), "values_wald_groups.csv", row.names = FALSE)
