# R interface to libvagap (src/vagap_r.c does the .Call glue).

# A condition of class "vagap_error" with the library's message and location.
vagap_stop <- function(e, call = sys.call(-1)) {
  where <- ""
  if (nzchar(e$file)) {
    where <- paste0(e$file, ":", if (e$line > 0) paste0(e$line, ":") else "",
                    if (e$line > 0 && e$column > 0) paste0(e$column, ":") else "", " ")
  }
  cond <- structure(class = c("vagap_error", "error", "condition"),
                    list(message = paste0(where, e$message), call = call, status = e$status,
                         line = e$line, column = e$column))
  stop(cond)
}

checked <- function(res) {
  if (is.list(res) && !is.null(res$error)) vagap_stop(res$error, sys.call(-1))
  res
}

frame <- function(cols) {
  structure(cols, class = "data.frame", row.names = .set_row_names(length(cols[[1]])))
}

# x and y as vectors, or as column names of `data`
column <- function(v, data, what) {
  if (is.null(data)) return(v)
  if (!is.character(v) || length(v) != 1) stop(what, " must be a column name when data is given")
  if (!v %in% names(data)) stop("no column '", v, "' in data; the columns are: ",
                                paste(names(data), collapse = ", "))
  data[[v]]
}

#' t-tests with effect sizes: the table of `vagap ttest`.
ttest <- function(x, y = NULL, data = NULL, paired = FALSE, var.equal = FALSE, mu = 0,
                  alternative = "two.sided", conf.level = 0.95) {
  xname <- if (is.null(data)) "x" else x
  yname <- if (is.null(data)) "y" else y
  x <- column(x, data, "x")
  if (!is.null(y)) y <- column(y, data, "y")
  kind <- if (is.null(y)) 0L else if (paired) 1L else if (var.equal) 3L else 2L
  if (is.null(y) && paired) stop("paired = TRUE needs y")
  r <- checked(.Call(vagap_r_ttest, x, y, kind, as.character(alternative),
                     as.numeric(conf.level), as.numeric(mu)))
  method <- c("One Sample t-test", "Paired t-test", "Welch Two Sample t-test",
              "Two Sample t-test")[kind + 1L]
  one <- kind == 0L
  test <- data.frame(term = if (one) xname else paste(xname, "-", yname),
                     estimate = r[["estimate"]], std.error = r[["std.error"]],
                     statistic = r[["statistic"]], df = r[["df"]], p.value = r[["p.value"]],
                     conf.low = r[["conf.low"]], conf.high = r[["conf.high"]], n = r[["n"]],
                     method = method, estimate1 = r[["mean1"]],
                     estimate2 = if (one) NA_real_ else r[["mean2"]], sd1 = r[["sd1"]],
                     sd2 = if (one) NA_real_ else r[["sd2"]], n1 = r[["n1"]],
                     n2 = if (one) NA_real_ else r[["n2"]], n_excluded = r[["n_excluded"]],
                     log10.p = r[["log10.p"]], alternative = alternative,
                     check.names = FALSE, stringsAsFactors = FALSE)
  eff <- function(term, est, lo, hi, what) {
    data.frame(term = term, estimate = est, std.error = NA_real_, statistic = NA_real_,
               df = NA_real_, p.value = NA_real_, conf.low = lo, conf.high = hi, n = r[["n"]],
               method = what, estimate1 = NA_real_, estimate2 = NA_real_, sd1 = NA_real_,
               sd2 = NA_real_, n1 = NA_real_, n2 = NA_real_, n_excluded = NA_real_,
               log10.p = NA_real_, alternative = alternative, check.names = FALSE,
               stringsAsFactors = FALSE)
  }
  # the effect-size rows of the design, as cmd_ttest.c writes them
  rows <- if (kind <= 1L) {
    c(list(eff("d_z", r[["d_z"]], r[["d.conf.low"]], r[["d.conf.high"]],
               "Cohen's d_z: mean difference / SD (n-1); CI from the noncentral t"),
           eff("d_z0", r[["d_z0"]], NA, NA,
               "Cohen's d_z with the population SD (n divisor, numpy ddof=0)")),
      if (kind == 1L) list(eff("d_av", r[["d_av"]], NA, NA,
                               "Cohen's d_av: mean difference / sqrt((s1^2 + s2^2)/2)"),
                           eff("d_rm", r[["d_rm"]], NA, NA,
                               "Cohen's d_rm: d_z * sqrt(2 (1 - r)) (Lakens 2013)")),
      list(eff("g", r[["g"]], r[["g.conf.low"]], r[["g.conf.high"]], "Hedges' g: exact J(n-1) * d_z")),
      if (kind == 1L) list(eff("g_av", r[["g_av"]], NA, NA, "Hedges' g_av: exact J(n-1) * d_av")))
  } else {
    list(eff("d_s", r[["d_s"]], r[["d.conf.low"]], r[["d.conf.high"]],
             "Cohen's d_s: mean difference / pooled SD; CI from the noncentral t"),
         eff("d_av", r[["d_av"]], NA, NA, "Cohen's d_av: mean difference / sqrt((s1^2 + s2^2)/2)"),
         eff("g", r[["g"]], r[["g.conf.low"]], r[["g.conf.high"]], "Hedges' g: exact J(n1+n2-2) * d_s"),
         eff("g_av", r[["g_av"]], NA, NA, "Hedges' g_av: exact J(n1+n2-2) * d_av"))
  }
  out <- do.call(rbind, c(list(test), rows))
  rownames(out) <- NULL
  out
}

#' Correlation test over complete pairs: the table of `vagap corr`.
#' exact = TRUE is R's cor.test default for Spearman (AS 89); FALSE the t approximation.
corr <- function(x, y, data = NULL, method = c("pearson", "spearman"),
                 alternative = "two.sided", conf.level = 0.95, exact = FALSE) {
  method <- match.arg(method)
  xname <- if (is.null(data)) "x" else x
  yname <- if (is.null(data)) "y" else y
  x <- column(x, data, "x")
  y <- column(y, data, "y")
  r <- checked(.Call(vagap_r_cor, x, y, as.integer(method == "spearman"), as.character(alternative),
                     as.numeric(conf.level), as.logical(exact)))
  data.frame(term = if (method == "pearson") "cor" else "rho", estimate = r[["estimate"]],
             std.error = r[["std.error"]], statistic = r[["statistic"]], df = r[["df"]],
             p.value = r[["p.value"]], conf.low = r[["conf.low"]], conf.high = r[["conf.high"]],
             n = r[["n"]], method = if (method == "pearson") "Pearson's product-moment correlation"
                                    else "Spearman's rank correlation rho",
             x = xname, y = yname, n_excluded = r[["n_excluded"]], log10.p = r[["log10.p"]],
             statistic.S = r[["statistic.S"]], deletion = "pairwise", alternative = alternative,
             check.names = FALSE, stringsAsFactors = FALSE)
}

# lavaan's arguments that vagap takes (vagap/sem_call.h parses their values)
sem_arguments <- c("estimator", "missing", "information", "se", "test", "likelihood", "ordered",
                   "parameterization", "group.equal", "group.partial", "meanstructure", "std.lv",
                   "fixed.x", "orthogonal", "int.ov.free", "int.lv.free", "auto.fix.first",
                   "auto.fix.single", "auto.var", "auto.cov.lv.x", "auto.cov.y", "auto.th",
                   "auto.delta", "auto.efa", "constraints", "level", "max.evaluations")

# An argument's value as the text the library parses: logicals TRUE/FALSE, lists
# comma-separated, the constraints= lines one per line.
argument_text <- function(name, value) {
  if (is.logical(value)) return(if (isTRUE(value)) "TRUE" else "FALSE")
  paste(as.character(value), collapse = if (name == "constraints") "\n" else ",")
}

# The library's messages name options as the program does ("--group-equal"):
# lavaan's argument names instead ("group.equal").
lavaan_names <- function(msg) {
  m <- gregexpr("--[a-z][a-z-]*", msg)
  regmatches(msg, m) <- lapply(regmatches(msg, m), function(x) gsub("-", ".", substring(x, 3)))
  msg
}

# What a lavaan call hands the library: the model text, the columns the model may
# name (and the group) as typed columns, ordered factors among them as ordered
# variables with their level order (as lavaan takes them), the arguments as text.
lavaan_call <- function(fn, model, data, group, args) {
  # this runs on every fit, so a loop of a thousand fits pays for each step here:
  # no work for arguments not given, one pass over the columns
  if (length(args)) {
    if (is.null(names(args)) || any(!nzchar(names(args))))
      stop("vagap::", fn, ": options must be named (lavaan's names)")
    unknown <- setdiff(names(args), sem_arguments)
    if (length(unknown))
      stop("vagap::", fn, ": unsupported option(s) ", paste(unknown, collapse = ", "),
           "; supported: ", paste(sem_arguments, collapse = ", "))
  }
  if (!is.data.frame(data) && !is.list(data)) stop("vagap::", fn, ": data must be a data frame")
  if (length(model) != 1L || !is.character(model)) model <- paste(model, collapse = "\n")
  all_names <- names(data)
  if (!is.null(group) && !group %in% all_names) stop("vagap::", fn, ": no column '", group, "' in data")
  keep <- .Call(vagap_r_model_columns, model, as.character(all_names), as.character(group))
  data <- unclass(data)[if (any(keep)) keep else 1L]  # a model naming no column: the library says so
  ordered <- args$ordered
  # is.object, a primitive, first: is.factor on every column costs more than the rest here
  for (v in names(data)[vapply(data, is.object, NA)]) {
    if (identical(v, group) || !is.factor(data[[v]])) next
    if (is.ordered(data[[v]]) && !isTRUE(ordered) && !v %in% ordered) ordered <- c(ordered, v)
    if (isTRUE(ordered) || v %in% ordered) data[[v]] <- as.integer(data[[v]])
  }
  if (!is.null(ordered) && !identical(ordered, FALSE)) args$ordered <- ordered
  if (length(args)) args <- args[!vapply(args, is.null, TRUE)]
  list(model = model, data = data, group = if (is.null(group)) "" else as.character(group),
       args = if (length(args)) vapply(names(args), function(n) argument_text(n, args[[n]]), "") else character(),
       names = all_names)
}

# An error of a lavaan call in lavaan's words: its argument names, and a missing
# column against all the data's columns (only the model's went in).
lavaan_error <- function(r, call) {
  if (is.null(r$error)) return(r)
  r$error$message <- lavaan_names(r$error$message)
  absent <- regmatches(r$error$message, regexec("no column named '([^']*)'", r$error$message))[[1]]
  if (length(absent)) {
    r$error$message <- paste0("no column named '", absent[2], "'; the columns are: ",
                              paste(call$names, collapse = ", "))
    r$error$line <- 0L
  }
  r
}

# lavaan's `fn` by libvagap.
fit_lavaan <- function(fn, model, data, group, args) {
  call <- lavaan_call(fn, model, data, group, args)
  r <- checked(lavaan_error(.Call(vagap_r_sem, call$model, call$data, call$group, fn, call$args), call))
  for (w in r$warnings) warning(w, call. = FALSE)
  # the tables come as data frames from vagap_r.c (sem_result): a thousand fits in a
  # loop should not pay for data.frame's checks
  structure(list(estimates = r$estimates, fit = r$fit, groups = r$groups), excluded = r$excluded)
}

#' lavaan's sem() by libvagap: list(estimates = parameterEstimates(fit,
#' standardized = TRUE) columns, fit = fitMeasures() names, groups), with
#' lavaan's argument names in `...` (estimator, missing, information, se, test,
#' ordered, group.equal, ...).  Rows left out (listwise deletion, a missing
#' group, FIML's empty cases) are listed in attr(result, "excluded") with the
#' data frame's row numbers.
sem <- function(model, data, group = NULL, ...) fit_lavaan("sem", model, data, group, list(...))

#' lavaan's cfa(): the same defaults as sem().
cfa <- function(model, data, group = NULL, ...) fit_lavaan("cfa", model, data, group, list(...))

#' lavaan's growth(): observed intercepts fixed to 0, latent means free.
growth <- function(model, data, group = NULL, ...) fit_lavaan("growth", model, data, group, list(...))

#' lavaan's lavaan(): nothing automatic unless the auto.* arguments say so.
lavaan <- function(model, data, group = NULL, ...) fit_lavaan("lavaan", model, data, group, list(...))

# ---- study logs: data frames to the library as typed columns ---------------------------

# A data frame (or a named list of equal-length columns) as the library takes
# it: vagap_r.c hands each column over as it is (doubles, integers, logicals,
# factors, strings), so no CSV text is written; an NA is a missing value, as
# the empty field of the program's files is.
columns <- function(data, what = "data") {
  if (!is.data.frame(data) && !is.list(data)) stop("vagap: ", what, " must be a data frame")
  data <- as.list(data)
  if (!length(data) || is.null(names(data)) || any(!nzchar(names(data))))
    stop("vagap: ", what, " must have named columns")
  data
}

# The exclusions ledger as a data frame: source, row (the 1-based row of that
# data frame: the library locates rows of a data frame by their number), reason.
excluded_rows <- function(e) {
  data.frame(source = e$source, row = e$line, reason = e$reason, stringsAsFactors = FALSE)
}

#' Share of a category per unit: the table of `vagap prop` (exact binomial
#' test, Wilson and Clopper-Pearson intervals), first column named after `unit`.
prop <- function(data, unit = "model", choice = "choice", success = "other", failure = "self",
                 p0 = 0.5, alternative = "two.sided", conf.level = 0.95, adjust = "none",
                 pooled = FALSE) {
  # pooled: one test over all rows (`vagap prop --pooled`), its unit NA
  r <- checked(.Call(vagap_r_prop, columns(data), c(if (isTRUE(pooled)) NA_character_ else unit, choice),
                     c(paste(success, collapse = ","), paste(failure, collapse = ",")),
                     as.numeric(p0), as.character(alternative), as.numeric(conf.level),
                     as.character(adjust)))
  out <- data.frame(unit = r$unit, term = "proportion", estimate = r$estimate,
                    std.error = r$std.error, statistic = r$x, df = NA_real_, p.value = r$p.value,
                    conf.low = r$conf.low, conf.high = r$conf.high, n = r$n,
                    method = "Exact binomial test; Wilson score interval", x = r$x,
                    n_other = r$n_other, exact.low = r$exact.low, exact.high = r$exact.high,
                    p0 = r$p0, log10.p = r$log10.p, p.adjusted = r$p.adjusted,
                    alternative = alternative, check.names = FALSE, stringsAsFactors = FALSE)
  names(out)[1] <- unit
  if (isTRUE(pooled)) out[[1]] <- NA_character_
  for (u in r$unit[r$n == 0]) warning(if (isTRUE(pooled)) "the pooled rows" else u, ": no counted choices",
                                       call. = FALSE)
  structure(out, excluded = excluded_rows(r$excluded))
}

#' Questionnaire scores: the tables of `vagap score` at level "unit" (default),
#' "run" or "alpha".  `key` has columns item, scale and optionally reverse;
#' data is long (an `item` column) or wide (a column per key item).
score <- function(data, key, min, max, min.items = 0, level = c("unit", "run", "alpha"),
                  unit = "model", run = "run", item = "item", response = "response") {
  level <- match.arg(level)
  long <- !missing(item)  # else long when data has the item column, as the program decides
  required <- c(!missing(run), !missing(unit))
  r <- checked(.Call(vagap_r_score, columns(data), columns(key, "key"),
                     c(unit, run, item, response), as.numeric(c(min, max)),
                     as.integer(min.items), long, required))
  unit_col <- if (long || item %in% names(data) || unit %in% names(data)) unit else "unit"
  out <- switch(level,
    unit = data.frame(unit = r$unit.unit, scale = r$unit.scale, score = r$unit.score,
                      pomp = r$unit.pomp, sd = r$unit.sd, n = r$unit.n,
                      n_excluded = r$unit.n_excluded, stringsAsFactors = FALSE),
    run = data.frame(unit = r$run.unit, run = r$run.run, scale = r$run.scale, score = r$run.score,
                     pomp = r$run.pomp, n_items = r$run.n_items, k = r$run.k,
                     stringsAsFactors = FALSE),
    alpha = data.frame(scale = r$alpha.scale, alpha = r$alpha.alpha, alpha_std = r$alpha.alpha_std,
                       mean_r = r$alpha.mean_r, omega = r$alpha.omega, k = r$alpha.k,
                       n = r$alpha.n, n_excluded = r$alpha.n_excluded, stringsAsFactors = FALSE))
  if (level != "alpha") names(out)[1] <- unit_col
  if (level == "alpha") {
    for (s in which(!is.na(r$alpha.note))) warning("scale ", r$alpha.scale[s], ": ", r$alpha.note[s], call. = FALSE)
    for (s in which(!is.na(r$omega.note))) warning("scale ", r$alpha.scale[s], ": omega: ", r$omega.note[s], call. = FALSE)
  }
  structure(out, excluded = excluded_rows(r$excluded))
}

#' Calibration gap (self-report - behaviour) per unit and across units: the
#' tables of `vagap gap` on a unit-summary data frame (one row per unit).
#' level = "tests" (the stacked broom table) or "units" (one row per unit).
#' Rows without a unit name are excluded (attr(, "excluded")); without an
#' IAT column (iat = NULL or absent) the analysis runs without one.
gap <- function(data, unit = "model", iat = "iat", behavior = "behavior",
                selfreport = "selfreport", counts = NULL, tau = 0.05, behavior.cut = 0.65,
                iat.null = 0, behavior.null = 0.5, conf.level = 0.95,
                level = c("tests", "units")) {
  level <- match.arg(level)
  if (!is.data.frame(data) && !is.list(data)) stop("vagap: data must be a data frame")
  need <- c(unit, behavior, selfreport, counts)
  if (!is.null(iat) && !identical(iat, "iat")) need <- c(need, iat)
  absent <- setdiff(need, names(data))
  if (length(absent))
    stop("vagap: no column '", absent[1], "' in data; the columns are: ",
         paste(names(data), collapse = ", "))
  if (!is.null(iat) && !iat %in% names(data)) iat <- NULL  # the default column is optional
  units <- as.character(data[[unit]])
  keep <- !is.na(units) & nzchar(units)
  col <- function(name) if (is.null(name)) NULL else data[[name]][keep]
  if (!is.null(counts) && length(counts) != 2) stop("vagap: counts must name two columns, X and N")
  r <- checked(.Call(vagap_r_gap, units[keep], col(iat), col(behavior), col(selfreport),
                     col(counts[1]), col(counts[2]),
                     as.numeric(c(tau, behavior.cut, iat.null, behavior.null, conf.level))))
  out <- frame(if (level == "tests") r$tests else r$units)
  if (level == "units") names(out)[1] <- unit
  excluded <- data.frame(source = rep("data", sum(!keep)), row = which(!keep),
                         reason = rep("missing unit name", sum(!keep)), stringsAsFactors = FALSE)
  structure(out, excluded = excluded)
}

#' Association-count IAT per unit (`vagap iat --method assoc`): level "units"
#' (default) or "trials" (`--per-trial`).  Words are normalised, valence comes
#' from the valence column, targets are matched against focal/contrast codes;
#' unusable rows are excluded with the program's reasons (attr(, "excluded")).
iat <- function(data, unit = "model", trial = "trial", word = "word", valence = "valence",
                assigned = "assigned", focal = "other", contrast = "self",
                preset = c("andric2025", "bai2024"), level = c("units", "trials"),
                positive.words = NULL, negative.words = NULL) {
  preset <- match.arg(preset)
  level <- match.arg(level)
  # attribute word lists (`--positive-words`, `--negative-words`): valence from them, not the column
  if (is.null(positive.words) != is.null(negative.words))
    stop("vagap: positive.words and negative.words go together")
  words <- if (!is.null(positive.words)) list(as.character(positive.words), as.character(negative.words))
  r <- checked(.Call(vagap_r_iat, columns(data), c(unit, trial, word, valence, assigned),
                     c(paste(focal, collapse = ","), paste(contrast, collapse = ",")), preset, words))
  out <- frame(if (level == "units") r$units else r$trials)
  names(out)[1] <- unit
  structure(out, excluded = excluded_rows(r$excluded))
}

#' ValAct-style consistency (`vagap consistency`): mode "matrix" (r between every
#' pair of units' decision vectors), "stated-enacted" (a unit's stated profile,
#' `profile`, against its enacted shares) or "roleplay" (accuracy drop between two
#' conditions).  The program's table; its warnings as R warnings; excluded rows in
#' attr(, "excluded").
consistency <- function(data, mode = c("matrix", "stated-enacted", "roleplay"), profile = NULL,
                        unit = "model", scenario = "scenario", choice = "choice", score = NULL,
                        value = "value", enacted = "enacted", condition = "condition",
                        correct = "correct", a = "select", b = "hold",
                        method = c("pearson", "spearman", "both"), centre = FALSE,
                        conf.level = 0.95) {
  mode <- match.arg(mode)
  method <- match.arg(method)
  if (mode == "stated-enacted" && is.null(profile))
    stop("vagap: mode stated-enacted needs profile (a data frame of unit, value and score)")
  if (mode == "stated-enacted" && method == "both")
    stop("vagap: method both is for mode matrix; run stated-enacted once per method")
  if (mode == "roleplay" && identical(a, b)) stop("vagap: a and b must name different conditions")
  cols <- c(unit, scenario, choice, if (is.null(score)) NA_character_ else score, value, enacted,
            if (is.null(score)) "score" else score, condition, correct, a, b)
  flags <- c(method != "spearman", method != "pearson", isTRUE(centre))
  r <- checked(.Call(vagap_r_consistency, columns(data),
                     if (is.null(profile)) NULL else columns(profile, "profile"),
                     match(mode, c("matrix", "stated-enacted", "roleplay")) - 1L, cols, flags,
                     as.numeric(conf.level)))
  for (n in r$notes) warning(n, call. = FALSE)
  out <- frame(r$rows)
  names(out)[1] <- unit
  structure(out, excluded = excluded_rows(r$excluded))
}

#' Value-action alignment (`vagap align`): per model the mean F1 of binarised
#' action against stated values over scenarios, the alignment distance, the
#' majority-vote counts and prompt agreement; distance per level of each `by`
#' column; with scenarios = TRUE the F1 of every scenario.  `scenario` may name
#' several columns that together identify a scenario.
align <- function(data, model = "model", scenario = "scenario", value = "value",
                  prompt = "prompt", stated = "stated", action = "action",
                  agree = c("agree", "positive"), disagree = c("disagree", "negative"),
                  positive.class = c("agree", "disagree"), zero.division = c("0", "1", "nan"),
                  by = NULL, scenarios = FALSE) {
  positive.class <- match.arg(positive.class)
  zero.division <- match.arg(as.character(zero.division), c("0", "1", "nan"))
  bad <- setdiff(by, c(scenario, value))
  if (length(bad))
    stop("vagap: by = '", bad[1], "' must be one of the scenario columns or the value column")
  r <- checked(.Call(vagap_r_align, columns(data), c(model, value, prompt, stated, action),
                     as.character(scenario), as.character(by),
                     c(paste(agree, collapse = ","), paste(disagree, collapse = ",")),
                     c(as.integer(positive.class == "disagree"),
                       match(zero.division, c("0", "1", "nan")) - 1L),
                     isTRUE(scenarios)))
  out <- frame(r$rows)
  names(out)[1] <- model
  structure(out, excluded = excluded_rows(r$excluded))
}

# ---- vaar ----------------------------------------------------------------------------------

# A parameter table's rows for VAAR: ":=" rows dropped (they belong to no group),
# group labels as `vagap vaar --estimates --group-labels` maps them.
vaar_estimates <- function(est, group.labels) {
  if (!is.data.frame(est) && !is.list(est)) stop("vagap: estimates must be a data frame")
  absent <- setdiff(c("lhs", "op", "rhs", "est"), names(est))
  if (length(absent))
    stop("vagap: no column '", absent[1], "' in estimates; the columns are: ",
         paste(names(est), collapse = ", "))
  keep <- as.character(est$op) != ":="
  n <- length(est$lhs)
  group <- if (is.null(est$group)) rep(if (length(group.labels)) group.labels[1] else "1", n)
           else as.character(est$group)
  if (length(group.labels) && !is.null(est$group)) {
    k <- suppressWarnings(as.integer(group))
    bad <- keep & (is.na(k) | k < 1 | k > length(group.labels) | group != as.character(k))
    if (any(bad))
      stop("vagap: estimates row ", which(bad)[1], ": group '", group[which(bad)[1]],
           "' is not a number 1..", length(group.labels), " that group.labels can name")
    group <- group.labels[k]
  }
  num <- function(name) if (is.null(est[[name]])) rep(NA_real_, n) else as.numeric(est[[name]])
  list(group = group[keep], lhs = as.character(est$lhs)[keep], op = as.character(est$op)[keep],
       rhs = as.character(est$rhs)[keep], est = num("est")[keep], se = num("se")[keep],
       pvalue = num("pvalue")[keep], ci.lower = num("ci.lower")[keep],
       ci.upper = num("ci.upper")[keep], std.all = num("std.all")[keep])
}

#' Value-Action Alignment Rate (`vagap vaar`): fits `model` to `data` by
#' vagap::sem() (group.equal = "loadings" by default, "none" for the
#' configural model; lavaan's argument names in `...`) or scores a saved
#' parameter table (`estimates`), then per group the share of hypothesised
#' paths whose sign agrees with `expect` (a spec string "y~x:+,..." or a data
#' frame lhs, op, rhs, sign) or with the `reference` group's signs.
vaar <- function(model = NULL, data = NULL, group = NULL, expect = NULL, reference = NULL,
                 reference.alpha = 0, alpha = 0.05, sign.indicator = NULL, estimates = NULL,
                 group.labels = NULL, group.equal = "loadings", bootstrap = 0, seed = 1,
                 threads = 0, conf.level = 0.95, ...) {
  if (is.null(model) == is.null(estimates))
    stop("vagap: give either model (with data) or estimates")
  if (is.null(expect) && is.null(reference))
    stop("vagap: give the expected signs: expect or reference")
  if (reference.alpha > 0 && is.null(reference)) stop("vagap: reference.alpha needs reference")
  if (!(bootstrap >= 0 && bootstrap == floor(bootstrap))) stop("vagap: bootstrap must be a whole number of resamples")
  if (bootstrap > 0 && is.null(model)) stop("vagap: bootstrap needs the data: use model")
  expect.frame <- if (is.data.frame(expect)) columns(expect, "expect")
  if (!is.null(names(sign.indicator)))
    sign.indicator <- paste0(names(sign.indicator), "=", sign.indicator)
  spec <- c(if (is.null(expect) || is.data.frame(expect)) "" else paste(expect, collapse = ","),
            if (is.null(reference)) "" else as.character(reference),
            paste(sign.indicator, collapse = ","))
  num <- as.numeric(c(alpha, reference.alpha, conf.level))
  if (!is.null(model)) {
    if (!is.null(group.labels)) stop("vagap: group.labels applies to estimates")
    if (is.null(data)) stop("vagap: model needs data")
    args <- list(...)
    args$group.equal <- if (identical(group.equal, "none")) "" else group.equal
    call <- lavaan_call("vaar", model, data, group, args)
    r <- .Call(vagap_r_vaar_fit, call$model, call$data, call$group, "sem", call$args, spec, expect.frame,
               num, "", as.numeric(c(bootstrap, seed, threads)))
    r <- checked(lavaan_error(r, call))
    for (w in r$warnings) warning(w, call. = FALSE)
    if (r$boot.failed > 0)
      warning(r$boot.failed, " of ", bootstrap, " bootstrap resamples failed to fit and are left out",
              call. = FALSE)
    return(structure(frame(r$rows), excluded = frame(list(row = r$excluded$line, reason = r$excluded$reason))))
  }
  if (!is.null(data) || !is.null(group) || length(list(...)))
    stop("vagap: data, group and the lavaan options apply to model; estimates are already fitted")
  est <- vaar_estimates(estimates, group.labels)
  if (is.null(estimates$pvalue))
    warning("estimates has no pvalue column: no path can agree strictly (agree.strict is FALSE)",
            call. = FALSE)
  hint <- if (is.null(group.labels))
    " (a parameter table numbers its groups 1, 2, ...; name them with --group-labels)" else ""
  r <- checked(.Call(vagap_r_vaar, est, spec, expect.frame, num, hint))
  structure(frame(r), excluded = frame(list(row = integer(), reason = character())))
}

# ---- report --------------------------------------------------------------------------------

#' The walk-the-talk study of `vagap report` from its four logs (iat optional,
#' as --no-iat): a named list of the tables the program writes - iat_trials,
#' iat_units (with an IAT), behavior_units, selfreport_units,
#' selfreport_alpha, gap_units, gap_tests - each with the program's columns;
#' attr(, "excluded") lists every row the four logs left out.  svg = TRUE adds
#' calibration_svg and markdown = TRUE adds report_md, the text of the program's
#' calibration.svg and report.md (its methods line names `source`).
report <- function(choices, selfreport, key, iat = NULL, unit = "model",
                   preset = c("andric2025", "bai2024"), focal = "other", contrast = "self",
                   prosocial = "other", selfish = "self", min = 1, max = 7, min.items = 1,
                   selfreport.scale = NULL, tau = 0.05, behavior.cut = 0.65, conf.level = 0.95,
                   svg = FALSE, title = "Walk-the-talk study", markdown = FALSE,
                   source = "data frames") {
  preset <- match.arg(preset)
  if (!(min < max)) stop("vagap: min must be below max")
  focal <- paste(focal, collapse = ",")
  contrast <- paste(contrast, collapse = ",")
  prosocial <- paste(prosocial, collapse = ",")
  selfish <- paste(selfish, collapse = ",")
  # the gap first: it reads all four logs and says what is wrong with any of them
  g <- checked(.Call(vagap_r_report_gap,
                     list(if (!is.null(iat)) columns(iat, "iat"), columns(choices, "choices"),
                          columns(selfreport, "selfreport"), columns(key, "key")),
                     c(unit, focal, contrast, prosocial, selfish, preset,
                       if (is.null(selfreport.scale)) "" else selfreport.scale),
                     as.numeric(c(min, max, min.items, tau, behavior.cut, conf.level)),
                     if (isTRUE(svg)) paste0(title, ": self-report vs behaviour"),
                     if (isTRUE(markdown)) as.character(c(title, source))))
  # the other tables are the separate commands' on the same logs, as the program's are
  out <- list()
  if (!is.null(iat)) {
    out$iat_trials <- iat(iat, unit = unit, focal = focal, contrast = contrast, preset = preset,
                          level = "trials")
    out$iat_units <- iat(iat, unit = unit, focal = focal, contrast = contrast, preset = preset)
  }
  out$behavior_units <- suppressWarnings(prop(choices, unit = unit, success = prosocial,
                                              failure = selfish, conf.level = conf.level))
  sc <- function(level) {
    if (identical(unit, "model")) score(selfreport, key, min, max, min.items = min.items, level = level)
    else score(selfreport, key, min, max, min.items = min.items, level = level, unit = unit)
  }
  out$selfreport_units <- sc("unit")
  out$selfreport_alpha <- sc("alpha")
  units <- frame(g$units)
  names(units)[1] <- unit
  out$gap_units <- units
  out$gap_tests <- frame(g$tests)
  for (k in names(out)) attr(out[[k]], "excluded") <- NULL
  # the program's calibration.svg, as text (writeLines(r$calibration_svg, "calibration.svg"))
  if (isTRUE(svg)) out$calibration_svg <- g$svg
  # the program's report.md, as text (writeLines(r$report_md, "report.md", sep = ""))
  if (isTRUE(markdown)) out$report_md <- g$markdown
  structure(out, excluded = excluded_rows(g$excluded))
}
