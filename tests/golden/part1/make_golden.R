# Golden values for the survey engine, part 1 (tests/survey/test_estimates*.py read them).
#
# Made with: R 4.2.2 Patched (2022-11-10 r83330), survey 4.1.1, jsonlite.
# Run from the repository root:   Rscript tests/golden/part1/make_golden.R
#
# 1. Exports R's api data sets and two seeded synthetic data sets to tests/golden/part1/data/.
# 2. Re-reads those committed files (so R and Python see identical numbers) and writes
#    tests/golden/part1/golden.json: one entry per case with the design, the estimator call in
#    engine terms, the exact R call ("r_call") and R's numbers per domain.
suppressMessages({
  library(survey)
  library(jsonlite)
})
stopifnot(packageVersion("survey") == "4.1.1")
here <- "tests/golden/part1"
dat_dir <- file.path(here, "data")
dir.create(dat_dir, showWarnings = FALSE)

# ---------------------------------------------------------------- data sets
data(api)
api_cols <- c("cds", "stype", "dnum", "snum", "cnum", "pw", "fpc", "api00", "api99", "enroll",
              "acs.k3", "target", "meals", "ell", "sch.wide", "awards", "comp.imp", "yr.rnd")
write_api <- function(d, name) {
  cols <- intersect(api_cols, names(d))
  write.csv(d[, cols], file.path(dat_dir, paste0(name, ".csv")), row.names = FALSE, na = "")
}
write_api(apistrat, "apistrat")
write_api(apiclus1, "apiclus1")
write_api(apiclus2, "apiclus2")

# Lonely PSUs: 7 strata; stratum 3 and 6 have one PSU; domain "grp" leaves single PSUs in
# strata that have several (for survey.adjust.domain.lonely).
set.seed(20261128)
lonely <- do.call(rbind, lapply(1:7, function(h) {
  npsu <- c(3, 2, 1, 4, 2, 1, 3)[h]
  do.call(rbind, lapply(seq_len(npsu), function(i) {
    m <- sample(2:5, 1)
    data.frame(h = h, psu = h * 10 + i, w = round(runif(m, 1, 9), 3),
               y = round(rnorm(m, 10 + h, 3), 3),
               item = sample(c("a", "b", "c"), m, replace = TRUE),
               x = round(runif(m, 1, 4), 3))
  }))
}))
lonely$grp <- ifelse(lonely$psu %% 10 == 1, "p", "q")  # "p": first PSU of each stratum only
lonely$grp[lonely$h == 4 & lonely$psu == 42] <- "p"
lonely$y[c(2, 9)] <- NA
write.csv(lonely, file.path(dat_dir, "lonely.csv"), row.names = FALSE, na = "")

# Large synthetic stratified cluster sample: 20,000 rows, 40 strata, 6-14 PSUs per stratum,
# fpc (population PSUs per stratum), missing values, zero weights, an absent category.
set.seed(42)
H <- 40
npsu <- sample(6:14, H, replace = TRUE)
psu_tab <- data.frame(stratum = rep(seq_len(H), npsu))
psu_tab$psu <- seq_len(nrow(psu_tab))
psu_tab$Npsu <- rep(npsu * sample(2:6, H, replace = TRUE), npsu)
psu_size <- as.vector(rmultinom(1, 20000 - 5 * nrow(psu_tab), rep(1, nrow(psu_tab)))) + 5
big <- psu_tab[rep(seq_len(nrow(psu_tab)), psu_size), ]
n <- nrow(big)
big$w <- round(exp(rnorm(n, 0, 0.5)) * (1 + big$stratum / 20), 4)
big$w[sample(n, 12)] <- 0
big$region <- sample(1:5, n, replace = TRUE, prob = c(.3, .25, .2, .15, .1))
big$sex <- sample(c("F", "M"), n, replace = TRUE)
big$year <- 2014L + (big$stratum %% 3L)
big$y <- round(50 + big$stratum / 2 + 3 * big$region + rnorm(n, 0, 10), 3)
big$y[sample(n, 1000)] <- NA
big$bin <- rbinom(n, 1, plogis(-1 + big$region / 4))
big$bin[sample(n, 400)] <- NA
big$item <- sample(1:4, n, replace = TRUE, prob = c(.4, .3, .2, .1))
big$item[big$region == 3 & big$item == 4] <- 3  # category 4 absent in region 3
big$item[sample(n, 700)] <- NA
big$x <- round(runif(n, 0.5, 3), 3)
big$Npsu <- big$Npsu
# Added later (drawn after everything above, so the earlier columns are unchanged): an item of
# one split half (50% missing, 0/1) and population sizes per stratum for element designs.
big$half <- ifelse(runif(n) < 0.5, NA, rbinom(n, 1, 0.35))
big$Nh <- ave(big$w, big$stratum, FUN = length) * (2L + big$stratum %% 4L)
con <- gzfile(file.path(dat_dir, "synth20k.csv.gz"), "w")
write.csv(big, con, row.names = FALSE, na = "")
close(con)

# Element sample (every row its own PSU) with single-row strata (lonely for element designs):
# 7 strata of 1, 3, 1, 4, 2, 5 and 1 rows; domain "grp" leaves single rows in larger strata.
set.seed(77)
sizes <- c(1, 3, 1, 4, 2, 5, 1)
elonely <- data.frame(h = rep(seq_along(sizes), sizes))
m <- nrow(elonely)
elonely$w <- round(runif(m, 1, 9), 3)
elonely$y <- round(rnorm(m, 10 + elonely$h, 3), 3)
elonely$y[c(4, 12)] <- NA
elonely$item <- sample(c("a", "b", "c"), m, replace = TRUE)
elonely$grp <- ifelse(seq_len(m) %% 3 == 0, "p", "q")
write.csv(elonely, file.path(dat_dir, "elonely.csv"), row.names = FALSE, na = "")

read <- function(name) read.csv(file.path(dat_dir, name), stringsAsFactors = FALSE)
datasets <- list(
  apistrat = read("apistrat.csv"), apiclus1 = read("apiclus1.csv"),
  apiclus2 = read("apiclus2.csv"), lonely = read("lonely.csv"),
  synth20k = read("synth20k.csv.gz"), elonely = read("elonely.csv")
)

# ---------------------------------------------------------------- helpers
fml <- function(x) as.formula(paste("~", paste(x, collapse = "+")))

make_design <- function(d, s) {
  options(survey.lonely.psu = if (is.null(s$lonely_psu)) "fail" else s$lonely_psu,
          survey.adjust.domain.lonely = isTRUE(s$adjust_domain_lonely))
  svydesign(ids = if (is.null(s$psu)) ~1 else fml(s$psu),
            strata = if (is.null(s$strata)) NULL else fml(s$strata),
            fpc = if (is.null(s$fpc)) NULL else fml(s$fpc),
            weights = fml(s$weights), nest = isTRUE(s$nest), data = d)
}

# svyciprop(method = "logit") as in survey 4.1.1, but its svyglm converged tightly: with glm's
# default epsilon = 1e-8 the point estimate expit(coef) is off from the weighted mean by ~1e-8
# relative (R's own convergence error, not a different estimator).
svyciprop_tight <- local({
  txt <- deparse(survey::svyciprop)
  at <- grep("family = quasibinomial)", txt, fixed = TRUE)
  stopifnot(length(at) == 1)
  txt[at] <- sub("family = quasibinomial)",
                 "family = quasibinomial, control = glm.control(epsilon = 1e-15, maxit = 200))",
                 txt[at], fixed = TRUE)
  f <- eval(parse(text = txt))
  environment(f) <- asNamespace("survey")
  f
})

num <- function(x) { x <- as.numeric(x); x[is.na(x)] <- NaN; x }  # NA -> NaN (JSON null)

# Per-domain n, Kish n_eff and degf of the domain's subset design.
domain_info <- function(des, d, w, dom_mask, used) {
  list(n = sum(dom_mask & used),
       n_eff = sum(w[dom_mask & used])^2 / sum(w[dom_mask & used]^2),
       df = degf(des[dom_mask, ]))
}

cases <- list()
add_case <- function(id, data, design, fn, vars, by = NULL, na_rm = FALSE, ci = NULL,
                     denominator = NULL, subset = NULL, categories = NULL) {
  d <- datasets[[data]]
  des <- make_design(d, design)
  w <- d[[design$weights]]
  full_mask <- rep(TRUE, nrow(d))
  sub_txt <- ""
  if (!is.null(subset)) {
    full_mask <- !is.na(d[[subset$column]]) & d[[subset$column]] == subset$value
    des <- des[full_mask, ]
    sub_txt <- sprintf("des <- subset(des, %s == %s); ", subset$column, deparse(subset$value))
  }
  rows <- list()
  calls <- character()
  for (v in vars) {
    if (fn == "proportion") {
      cats <- if (is.null(categories)) sort(unique(d[[v]][!is.na(d[[v]])])) else categories
      items <- lapply(cats, function(ct) list(
        f = eval(bquote(~I(.(as.name(v)) == .(ct)))), cat = ct))
    } else {
      items <- list(list(f = fml(v), cat = NULL))
    }
    for (it in items) {
      f <- it$f
      if (fn == "mean") {
        FUN <- svymean; extra <- list(deff = "replace")
      } else if (fn == "total") {
        FUN <- svytotal; extra <- list(deff = "replace")
      } else if (fn == "ratio") {
        FUN <- svyratio; extra <- list(denominator = fml(denominator))
      } else {
        FUN <- if (ci == "logit") svyciprop_tight else svyciprop
        extra <- list(method = ci)
      }
      fun_name <- switch(fn, mean = "svymean", total = "svytotal", ratio = "svyratio",
                         proportion = if (ci == "logit") "svyciprop_tight" else "svyciprop")
      extra_txt <- paste(sprintf(", %s = %s", names(extra),
                                 sapply(extra, function(e) paste(deparse(e), collapse = ""))),
                         collapse = "")
      if (is.null(by)) {
        r <- do.call(FUN, c(list(f, des, na.rm = na_rm), extra))
        call_txt <- sprintf("%s%s(%s, des, na.rm = %s%s)", sub_txt, fun_name,
                            paste(deparse(f), collapse = ""), na_rm, extra_txt)
        est <- num(coef(r))[1]; se <- num(SE(r))[1]
        cim <- if (fn == "proportion") as.vector(attr(r, "ci")) else as.vector(confint(r))
        labs <- list(list())
        masks <- list(full_mask)
        if (fn == "proportion") {
          dm <- svymean(eval(bquote(~as.numeric(.(f[[2]])))), des, na.rm = na_rm,
                        deff = "replace")
          deffs <- num(deff(dm))
        } else if (fn == "ratio") {
          deffs <- NaN
        } else {
          deffs <- num(deff(r))
        }
        est_v <- est; se_v <- se; lo <- cim[1]; hi <- cim[2]
      } else {
        r <- do.call(svyby, c(list(f, fml(by), des, FUN, na.rm = na_rm,
                                   vartype = c("se", "ci")), extra,
                              if (fn %in% c("mean", "total")) list(keep.var = TRUE)))
        call_txt <- sprintf("%ssvyby(%s, %s, des, %s, na.rm = %s, vartype = c(\"se\", \"ci\")%s)",
                            sub_txt, paste(deparse(f), collapse = ""),
                            paste(deparse(fml(by)), collapse = ""), fun_name, na_rm, extra_txt)
        est_v <- num(coef(r)); se_v <- num(SE(r))
        if (fn == "proportion") {
          lo <- num(r[["ci_l"]]); hi <- num(r[["ci_u"]])
          dm <- svyby(eval(bquote(~as.numeric(.(f[[2]])))), fml(by), des, svymean,
                      na.rm = na_rm, deff = "replace")
          deffs <- num(dm[[grep("^DEff", names(dm))[1]]])
        } else {
          cm <- confint(r)
          lo <- num(cm[, 1]); hi <- num(cm[, 2])
          deffs <- if (fn == "ratio") rep(NaN, length(est_v)) else
            num(r[[grep("^DEff", names(r))[1]]])
        }
        labs <- lapply(seq_len(nrow(r)), function(i) lapply(by, function(b) r[[b]][i]))
        masks <- lapply(labs, function(lab) {
          m <- full_mask
          for (j in seq_along(by)) m <- m & !is.na(d[[by[j]]]) & d[[by[j]]] == lab[[j]]
          m
        })
        labs <- lapply(labs, function(l) setNames(l, by))
      }
      calls <- c(calls, call_txt)
      used <- if (na_rm) {
        u <- !is.na(d[[v]])
        if (fn == "ratio") u <- u & !is.na(d[[denominator]])
        u
      } else rep(TRUE, nrow(d))
      for (i in seq_along(est_v)) {
        info <- domain_info(make_design(d, design), d, w, masks[[i]], used)
        rows[[length(rows) + 1]] <- list(
          by = labs[[i]], variable = v, category = it$cat,
          estimate = est_v[i], se = se_v[i], ci_low = lo[i], ci_high = hi[i],
          deff = deffs[i], n = info$n, n_eff = info$n_eff, df = info$df, r_call = call_txt)
      }
    }
  }
  cases[[length(cases) + 1]] <<- list(
    id = id, data = data, design = design,
    call = list(fn = fn, vars = as.list(vars), by = if (is.null(by)) NULL else as.list(by),
                na_rm = na_rm, ci = ci, denominator = denominator, subset = subset),
    rows = rows)
}

# ---------------------------------------------------------------- cases
strat <- list(weights = "pw", strata = "stype", fpc = "fpc")
clus1 <- list(weights = "pw", psu = "dnum", fpc = "fpc")
clus2 <- list(weights = "pw", psu = c("dnum", "snum"))

add_case("apistrat_mean", "apistrat", strat, "mean", c("api00", "api99", "enroll"))
add_case("apistrat_mean_by", "apistrat", strat, "mean", c("api00", "meals"), by = "sch.wide")
add_case("apistrat_mean_by2", "apistrat", strat, "mean", "api00", by = c("stype", "awards"))
add_case("apistrat_total_by", "apistrat", strat, "total", c("enroll", "api00"), by = "stype")
add_case("apistrat_ratio", "apistrat", strat, "ratio", "api00", denominator = "api99")
add_case("apistrat_ratio_by", "apistrat", strat, "ratio", "meals", by = "awards",
         denominator = "enroll")
add_case("apistrat_subset_mean_by", "apistrat", strat, "mean", "api00", by = "awards",
         subset = list(column = "stype", value = "E"))
for (m in c("logit", "mean", "asin", "xlogit", "beta")) {
  add_case(paste0("apistrat_prop_", m), "apistrat", strat, "proportion", "sch.wide", ci = m)
  add_case(paste0("apistrat_prop_by_", m), "apistrat", strat, "proportion", "awards",
           by = "stype", ci = m)
}
add_case("apiclus1_mean", "apiclus1", clus1, "mean", c("api00", "enroll"))
add_case("apiclus1_mean_by", "apiclus1", clus1, "mean", "api00", by = "stype")
add_case("apiclus1_total", "apiclus1", clus1, "total", "enroll", by = "stype")
add_case("apiclus1_ratio_by", "apiclus1", clus1, "ratio", "api00", by = "stype",
         denominator = "api99")
add_case("apiclus1_prop_by_beta", "apiclus1", clus1, "proportion", "stype", by = "sch.wide",
         ci = "beta")
add_case("apiclus1_subset_total", "apiclus1", clus1, "total", "enroll",
         subset = list(column = "stype", value = "H"))
add_case("apiclus2_mean_narm", "apiclus2", clus2, "mean", c("enroll", "acs.k3"), na_rm = TRUE)
add_case("apiclus2_mean_nona", "apiclus2", clus2, "mean", c("api00", "enroll"))
add_case("apiclus2_mean_by_narm", "apiclus2", clus2, "mean", c("enroll", "target"),
         by = "stype", na_rm = TRUE)
add_case("apiclus2_total_by_narm", "apiclus2", clus2, "total", "enroll", by = "stype",
         na_rm = TRUE)
add_case("apiclus2_ratio_narm", "apiclus2", clus2, "ratio", "api00", denominator = "enroll",
         na_rm = TRUE, by = "sch.wide")
add_case("apiclus2_prop_logit", "apiclus2", clus2, "proportion", "stype", by = "awards",
         ci = "logit")

lon <- function(opt, adl = FALSE) list(weights = "w", strata = "h", psu = "psu",
                                       lonely_psu = opt, adjust_domain_lonely = adl)
for (opt in c("remove", "certainty", "adjust", "average")) {
  add_case(paste0("lonely_", opt, "_mean"), "lonely", lon(opt), "mean", c("x", "y"),
           na_rm = TRUE)
  add_case(paste0("lonely_", opt, "_total_by"), "lonely", lon(opt), "total", "x", by = "grp")
  add_case(paste0("lonely_", opt, "_mean_by"), "lonely", lon(opt), "mean", "y", by = "grp",
           na_rm = TRUE)
  add_case(paste0("lonely_", opt, "_prop_by"), "lonely", lon(opt), "proportion", "item",
           by = "grp", ci = "xlogit")
}
for (opt in c("adjust", "average")) {
  add_case(paste0("lonely_", opt, "_domlonely_total_by"), "lonely", lon(opt, TRUE), "total",
           "x", by = "grp")
  add_case(paste0("lonely_", opt, "_domlonely_mean_by"), "lonely", lon(opt, TRUE), "mean",
           "y", by = "grp", na_rm = TRUE)
  add_case(paste0("lonely_", opt, "_domlonely_ratio_by"), "lonely", lon(opt, TRUE), "ratio",
           "y", by = "grp", na_rm = TRUE, denominator = "x")
}

big_d <- list(weights = "w", strata = "stratum", psu = "psu", fpc = "Npsu")
add_case("synth_mean_by_narm", "synth20k", big_d, "mean", c("y", "bin"),
         by = c("year", "region"), na_rm = TRUE)
add_case("synth_mean_by_nona", "synth20k", big_d, "mean", c("y", "x"), by = "sex")
add_case("synth_total_by_narm", "synth20k", big_d, "total", "y", by = "region", na_rm = TRUE)
add_case("synth_ratio_by", "synth20k", big_d, "ratio", "y", by = "sex", denominator = "x",
         na_rm = TRUE)
add_case("synth_prop_by_logit", "synth20k", big_d, "proportion", "item", by = "region",
         na_rm = TRUE, ci = "logit")
add_case("synth_prop_by_beta", "synth20k", big_d, "proportion", "item", by = c("year", "sex"),
         na_rm = TRUE, ci = "beta")
add_case("synth_subset_mean_by", "synth20k", big_d, "mean", "y", by = "region", na_rm = TRUE,
         subset = list(column = "sex", value = "F"))

# Element designs (strata, no PSU column: every row its own PSU, as the NEA), which the engine
# serves from cell sums (survey/_element.py): zero weights, missing values, an item of one split
# half, an absent category, fpc, a subset, and single-row strata under every lonely-PSU rule.
el_d <- list(weights = "w", strata = "stratum")
el_fpc <- list(weights = "w", strata = "stratum", fpc = "Nh")
add_case("synth_el_mean_by_narm", "synth20k", el_d, "mean", c("y", "bin", "half"),
         by = c("year", "region"), na_rm = TRUE)
add_case("synth_el_mean_fpc_by", "synth20k", el_fpc, "mean", c("half", "x"), by = "sex",
         na_rm = TRUE)
add_case("synth_el_mean_nona", "synth20k", el_d, "mean", c("y", "x"), by = "sex")
add_case("synth_el_prop_by_logit", "synth20k", el_d, "proportion", "item", by = "region",
         na_rm = TRUE, ci = "logit")
add_case("synth_el_prop_half_beta", "synth20k", el_d, "proportion", "half",
         by = c("year", "sex"), na_rm = TRUE, ci = "beta")
add_case("synth_el_subset_mean_by", "synth20k", el_d, "mean", c("y", "half"), by = "region",
         na_rm = TRUE, subset = list(column = "sex", value = "F"))
add_case("synth_el_total_by_narm", "synth20k", el_d, "total", c("y", "half"), by = "region",
         na_rm = TRUE)
add_case("synth_el_total_fpc_by", "synth20k", el_fpc, "total", "x", by = c("year", "sex"))
elon <- function(opt, adl = FALSE) list(weights = "w", strata = "h", lonely_psu = opt,
                                        adjust_domain_lonely = adl)
for (opt in c("remove", "certainty", "adjust", "average")) {
  add_case(paste0("elonely_", opt, "_mean_by"), "elonely", elon(opt), "mean", "y", by = "grp",
           na_rm = TRUE)
  add_case(paste0("elonely_", opt, "_prop_by"), "elonely", elon(opt), "proportion", "item",
           by = "grp", ci = "xlogit")
  add_case(paste0("elonely_", opt, "_total_by"), "elonely", elon(opt), "total", "y",
           by = "grp", na_rm = TRUE)
}
for (opt in c("adjust", "average")) {
  add_case(paste0("elonely_", opt, "_domlonely_mean_by"), "elonely", elon(opt, TRUE), "mean",
           "y", by = "grp", na_rm = TRUE)
}

meta <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
             note = "NaN is written as null; see make_golden.R for each case")
writeLines(toJSON(list(meta = meta, cases = cases), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = FALSE),
           file.path(here, "golden.json"))
cat("wrote", length(cases), "cases\n")
