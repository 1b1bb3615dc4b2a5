# Functions shared by golden_part2.R and golden_part2_lonely.R (R 4.2.2, survey 4.1.1).
# Each names the exact R call it reproduces.

dig <- function(df) { for (k in names(df)) if (is.numeric(df[[k]])) df[[k]] <- signif(df[[k]], 15); df }

# One comparison "D = 1" vs "D = 0" on a design `dd` whose rows all have `var` non-missing.
# Regression: svyglm(var ~ D, dd) (gaussian) == svyttest(var ~ D, dd): t on degf(dd) - 1 df.
pair_stats <- function(dd, var, kind) {
  dd <- update(dd, .y = dd$variables[[var]])
  dd <- update(dd, R = 1 - D, yD = .y * D, y0 = .y * (1 - D), y2D = .y^2 * D, y20 = .y^2 * (1 - D))
  m <- svyglm(.y ~ D, dd)
  cf <- coef(summary(m))["D", ]
  tt <- svytotal(~D + R + yD + y0 + y2D + y20, dd)
  est <- svycontrast(tt, list(g = quote(yD / D), r = quote(y0 / R)))
  if (kind == "mean") {
    d <- svycontrast(tt, quote((yD / D - y0 / R) / sqrt((y2D - yD^2 / D + y20 - y0^2 / R) / (D + R))))
    h <- c(NA, NA)
  } else {
    d <- svycontrast(tt, quote((yD / D - y0 / R) / sqrt(((yD + y0) / (D + R)) * (1 - (yD + y0) / (D + R)))))
    hh <- svycontrast(tt, quote(2 * asin(sqrt(yD / D)) - 2 * asin(sqrt(y0 / R))))
    h <- c(coef(hh), SE(hh))
  }
  # Classic test on proportional weights (mean 1 over the rows compared), as SPSS with
  # normalised weights: Pearson chi-square of the 2 x 2 table for shares
  # (chisq.test(xtabs(wn ~ D + y), correct = FALSE)); for means the pooled-variance t test with
  # the normalised weights as frequencies (hand formula: t.test has no weights).
  v <- dd$variables
  wn <- weights(dd) / mean(weights(dd))
  if (kind == "mean") {
    n1 <- sum(wn[v$D == 1]); n0 <- sum(wn[v$D == 0])
    m1 <- sum(wn * v$.y * v$D) / n1; m0 <- sum(wn * v$.y * (1 - v$D)) / n0
    ss <- sum(wn * (v$.y - ifelse(v$D == 1, m1, m0))^2)
    N <- nrow(v)
    sp2 <- ss / (N - 2)
    stat <- (m1 - m0) / sqrt(sp2 * (1 / n1 + 1 / n0))
    pc <- 2 * pt(-abs(stat), N - 2)
  } else {
    ct <- suppressWarnings(chisq.test(xtabs(wn ~ v$D + v$.y), correct = FALSE))
    stat <- unname(ct$statistic); pc <- ct$p.value
  }
  data.frame(estimate_group = coef(est)[1], estimate_rest = coef(est)[2],
             difference = cf[1], se = cf[2], t = cf[3], df = m$df.residual, p_value = cf[4],
             d = coef(d), d_se = SE(d), h = h[1], h_se = h[2],
             n_group = sum(dd$variables$D == 1), n_rest = sum(dd$variables$D == 0),
             statistic_classic = stat, p_value_classic = pc)
}

# group_vs_rest(design, var, by=byv, within=within): for each within value wv and group g,
# pair_stats on subset(des, within == wv & !is.na(var) & !is.na(byv)) with D = (byv == g).
gvr <- function(des, var, byv, within = NULL, kind = "mean") {
  out <- list()
  v <- des$variables
  wvals <- if (is.null(within)) NA else sort(unique(v[[within]]))
  for (wv in wvals) {
    keep <- !is.na(v[[var]]) & !is.na(v[[byv]])
    if (!is.null(within)) keep <- keep & v[[within]] == wv
    dw <- des[keep, ]
    for (g in sort(unique(dw$variables[[byv]]))) {
      dg <- update(dw, D = as.numeric(dw$variables[[byv]] == g))
      r <- pair_stats(dg, var, kind)
      out[[length(out) + 1]] <- cbind(within = wv, group = g, r)
    }
  }
  dig(do.call(rbind, out))
}

# year_on_year(design, var, year=yr, by=byv): for each group g and consecutive measured years
# (t0, t1): pair_stats on subset(des, yr %in% c(t0, t1) & !is.na(var) & byv == g), D = (yr == t1);
# difference = later minus earlier.
yoy <- function(des, var, yr, byv = NULL, kind = "mean") {
  out <- list()
  v <- des$variables
  gvals <- if (is.null(byv)) NA else sort(unique(v[[byv]]))
  years <- sort(unique(v[[yr]][!is.na(v[[var]])]))
  for (g in gvals) {
    for (i in seq_len(length(years) - 1)) {
      keep <- !is.na(v[[var]]) & v[[yr]] %in% years[i:(i + 1)]
      if (!is.null(byv)) keep <- keep & v[[byv]] == g
      dp <- des[keep, ]
      dp <- update(dp, D = as.numeric(dp$variables[[yr]] == years[i + 1]))
      r <- pair_stats(dp, var, kind)
      out[[length(out) + 1]] <- cbind(group = g, year_from = years[i], year_to = years[i + 1], r)
    }
  }
  dig(do.call(rbind, out))
}

# trend(design, var, year=yr, by=byv, break_year=k): svyglm(var ~ yr, subset(des, !is.na(var) &
# byv == g)); with k, svyglm(var ~ yr + pmax(yr - k, 0), same subset) and the hinge coefficient.
# d = slope * (last - first) / pooled weighted population SD of the first and last year (hand
# computation from R's slope and weighted sums).
# SE of the trend d by the delta method: the slope's influence functions as svy.varcoef forms
# them (estfun %*% naive.cov; svyglm(influence=TRUE) is broken in 4.1.1) joined with svytotal's
# (influence=TRUE) of the first/last-year sums, one svyrecvar() for their covariance, and the
# gradient of d from deriv().
trend_d_se <- function(dg, m, t0, t1, kind) {
  ef <- model.matrix(m) * resid(m, "working") * m$weights
  infl_b <- (ef %*% m$naive.cov)[, 2]
  vb <- svyrecvar(cbind(infl_b), dg$cluster, dg$strata, dg$fpc, postStrata = dg$postStrata)
  stopifnot(abs(sqrt(vb[1, 1]) / SE(m)[2] - 1) < 1e-10)
  dg <- update(dg, If = as.numeric(.t == t0), Il = as.numeric(.t == t1))
  dg <- update(dg, yf = .y * If, y2f = .y^2 * If, yl = .y * Il, y2l = .y^2 * Il)
  tt <- svytotal(~If + yf + y2f + Il + yl + y2l, dg, influence = TRUE)
  infl <- cbind(infl_b, attr(tt, "influence"))
  V <- svyrecvar(infl, dg$cluster, dg$strata, dg$fpc, postStrata = dg$postStrata)
  stopifnot(max(abs(sqrt(diag(V))[-1] / SE(tt) - 1)) < 1e-10)
  span <- t1 - t0
  e <- if (kind == "mean") {
    quote(b * span / sqrt((y2f - yf^2 / If + y2l - yl^2 / Il) / (If + Il)))
  } else {
    quote(b * span / (100 * sqrt(((yf + yl) / (If + Il) / 100) * (1 - (yf + yl) / (If + Il) / 100))))
  }
  vals <- c(list(b = coef(m)[2], span = span), as.list(coef(tt)))
  gr <- attr(eval(deriv(e, c("b", "If", "yf", "y2f", "Il", "yl", "y2l")), vals), "gradient")
  sqrt(drop(gr %*% V %*% t(gr)))
}

trend_r <- function(des, var, yr, byv = NULL, k = NULL, kind = "mean") {
  out <- list()
  v <- des$variables
  gvals <- if (is.null(byv)) NA else sort(unique(v[[byv]]))
  for (g in gvals) {
    keep <- !is.na(v[[var]])
    if (!is.null(byv)) keep <- keep & v[[byv]] == g
    dg <- des[keep, ]
    dg <- update(dg, .y = dg$variables[[var]], .t = dg$variables[[yr]])
    m <- svyglm(.y ~ .t, dg)
    cf <- coef(summary(m))[".t", ]
    yv <- dg$variables$.y; tv <- dg$variables$.t; wv <- weights(dg)
    t0 <- min(tv); t1 <- max(tv); s <- tv %in% c(t0, t1)
    if (kind == "mean") {
      ss <- 0
      for (tt in c(t0, t1)) { i <- tv == tt; mu <- sum(wv[i] * yv[i]) / sum(wv[i]); ss <- ss + sum(wv[i] * (yv[i] - mu)^2) }
      sdp <- sqrt(ss / sum(wv[s]))
    } else {
      pb <- sum(wv[s] * yv[s]) / sum(wv[s]) / 100
      sdp <- 100 * sqrt(pb * (1 - pb))
    }
    r <- data.frame(group = g, slope = cf[1], se = cf[2], t = cf[3], df = m$df.residual,
                    p_value = cf[4], d = cf[1] * (t1 - t0) / sdp,
                    d_se = trend_d_se(dg, m, t0, t1, kind), n = nrow(dg))
    if (!is.null(k)) {
      dg <- update(dg, .hinge = pmax(dg$variables$.t - k, 0))
      mb <- svyglm(.y ~ .t + .hinge, dg)
      cb <- coef(summary(mb))
      r <- cbind(r, slope_before = cb[2, 1], slope_change = cb[3, 1], change_se = cb[3, 2],
                 change_t = cb[3, 3], change_df = mb$df.residual, change_p_value = cb[3, 4])
    }
    out[[length(out) + 1]] <- r
  }
  dig(do.call(rbind, out))
}

# trend_difference(design, var, year=yr, by=byv): for each group g,
# svyglm(var ~ yr * D, subset(des, !is.na(var) & !is.na(byv))) with D = (byv == g); the
# interaction coefficient yr:D = slope(group) - slope(rest), t on degf - 3 df.
trend_diff_r <- function(des, var, yr, byv) {
  out <- list()
  v <- des$variables
  dd <- des[!is.na(v[[var]]) & !is.na(v[[byv]]), ]
  for (g in sort(unique(dd$variables[[byv]]))) {
    dg <- update(dd, .y = dd$variables[[var]], .t = dd$variables[[yr]],
                 D = as.numeric(dd$variables[[byv]] == g))
    m <- svyglm(.y ~ .t * D, dg)
    cf <- coef(summary(m))
    out[[length(out) + 1]] <- data.frame(group = g, slope_group = cf[".t", 1] + cf[".t:D", 1],
      slope_rest = cf[".t", 1], difference = cf[".t:D", 1], se = cf[".t:D", 2],
      t = cf[".t:D", 3], df = m$df.residual, p_value = cf[".t:D", 4])
  }
  dig(do.call(rbind, out))
}

