#!/bin/sh
# `vagap power` recovers what it simulates, within Monte Carlo error:
#  - sem-param: the population value it reports is the model's (0.3 with
#    --std-lv; 0.3/0.8 = 0.375 with a marker loading; 0.75 for := 2*b), the
#    mean estimate is within 3.5 MC SEs of it, Wald-CI coverage within 3.5 MC
#    SEs of 0.95, and the mean SE within 10% of the SD of the estimates (the
#    marker-identified 0.375 carries ML's finite-sample ratio bias, about +0.0045
#    at n = 300, i.e. +1.4 MC SEs of this run: doc/methods.md, sem-param);
#  - correlation: the rejection rate at rho = 0 is within 3.5 MC SEs of alpha,
#    and at rho = 0.3 within 3.5 MC SEs (+ 0.01 for the approximation) of
#    pwr.r.test's approximate power;
#  - invariance: with equal loadings in the population the metric LRT rejects
#    at a rate within 3.5 MC SEs of alpha, and the mean chi-square difference
#    is within 3.5 MC SEs of its df (3);
#  - vaar: the population VAAR of a group whose paths all have the expected
#    sign is 1, of a group with one zero path 0.5 (a zero path has no sign); at
#    n = 400 the strict VAAR of the first group is 1 in at least 90% of the
#    replications;
#  - sem-param on Vale-Maurelli data (skewness 2, excess kurtosis 7 for every
#    variable): the ML estimate stays unbiased (within 3.5 MC SEs) while the
#    normal-theory SE is too small (average.se / estimate.sd below 0.95, as
#    Browne 1984 predicts for excess kurtosis), while MLR's Huber-White SE is
#    within 10% of the SD of the estimates;
#  - f1-diff: with equal alignment the paired t-test over scenarios rejects at
#    a rate within 3.5 MC SEs of alpha; the population difference of F1s (with
#    stated agree 0.5, F1 = p) is 0.1 for 0.85:0.75.
set -u
vagap=$1 src=$2
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
cp "$src/tests/data/power/pop.lav" "$src/tests/data/power/fit.lav" "$dir/"
printf 'f =~ c(0.8,0.8)*x1 + c(0.7,0.7)*x2 + c(0.6,0.6)*x3 + c(0.5,0.5)*x4\n' > "$dir/inv.lav"
printf 'f =~ x1 + x2 + x3 + x4\n' > "$dir/invfit.lav"
cp "$src/tests/data/power/vaar_pop.lav" "$dir/vaar.lav"
cp "$src/tests/data/power/vaar_fit.lav" "$dir/vfit.lav"
p() { "$vagap" power --quiet --seed 7 "$@"; }
sem() { p --analysis sem-param --model "$dir/pop.lav" --fit-model "$dir/fit.lav" --n 300 --replications 1000 "$@"; }
{ sem --param 'y~f' --std-lv > "$dir/1.csv" && sem --param 'y ~ f' > "$dir/2.csv" && sem --param ind > "$dir/3.csv" &&
  p --analysis correlation --rho 0,0.3 --n 100 --replications 2000 > "$dir/4.csv" &&
  p --analysis invariance --model "$dir/inv.lav" --fit-model "$dir/invfit.lav" --n 300 --replications 400 > "$dir/5.csv" &&
  sem --param 'y~f' --std-lv --skewness 2 --kurtosis 7 > "$dir/8.csv" &&
  sem --param 'y~f' --std-lv --skewness 2 --kurtosis 7 --estimator MLR > "$dir/9.csv" &&
  p --analysis f1-diff --alignment 0.8:0.8,0.85:0.75 --n 20 --replications 2000 > "$dir/7.csv" &&
  p --analysis vaar --model "$dir/vaar.lav" --fit-model "$dir/vfit.lav" --expect 'y~f:+;y~g:-' --groups 2 --n 400 --replications 200 > "$dir/6.csv"
} || { echo "FAIL: vagap power failed"; exit 1; }
bad=0
for f in 1 2 3 4 5 6 7 8 9; do
awk -F, -v file=$f '
NR == 1 { for (j = 1; j <= NF; j++) col[$j] = j; next }
function v(name) { return $(col[name]) }
function fail(msg) { printf "  FAIL: %s\n", msg; bad++ }
function within(x, target, se, k) { return (x - target) <= k * se && (target - x) <= k * se }
{
  a = v("analysis"); conv = v("converged"); pw = v("power"); al = v("alpha")
  what = a == "sem-param" ? v("param") : a == "correlation" ? "rho=" v("rho") : a == "vaar" ? "group " v("group") : a == "f1-diff" ? v("p.a") ":" v("p.b") : v("test")
  printf "%s %s n=%s: converged %d, power %.4f, mean %.4f, sd %.4f, mean se %.4f, param %s, coverage %s\n",
         a, what, v("n"), conv, pw, v("estimate.average"), v("estimate.sd"),
         v("average.se"), v("average.param"), v("coverage")
  if (conv < 0.98 * v("replications")) fail("too few converged")
  mcse = v("estimate.sd") / sqrt(conv)
  if (a == "sem-param" && file == 9) {
    if (!within(v("average.se") / v("estimate.sd"), 1, 0.1, 1)) fail("MLR SEs vs SD of estimates")
  } else if (a == "sem-param" && file == 8) {
    if (!within(v("estimate.average"), 0.3, mcse, 3.5)) fail("mean estimate on non-normal data")
    if (v("average.se") / v("estimate.sd") >= 0.95) fail("normal-theory SEs not too small under kurtosis")
  } else if (a == "sem-param") {
    t = (file == 1) ? 0.3 : (file == 2) ? 0.375 : 0.75
    if (!within(v("average.param"), t, 1e-6, 1)) fail("population value " v("average.param") " is not " t)
    if (!within(v("estimate.average"), t, mcse, 3.5)) fail("mean estimate beyond 3.5 MC SEs")
    if (!within(v("coverage"), 0.95, sqrt(.95 * .05 / conv), 3.5)) fail("coverage")
    if (!within(v("average.se") / v("estimate.sd"), 1, 0.1, 1)) fail("mean SE vs SD of estimates")
  } else if (a == "correlation") {
    target = v("rho") == 0 ? al : v("power.analytic")
    slack = v("rho") == 0 ? 0 : 0.01
    if (!within(pw, target, sqrt(target * (1 - target) / conv) + slack / 3.5, 3.5)) fail("power vs " target)
    if (!within(v("estimate.average"), v("rho"), mcse, 3.5)) fail("mean r")
  } else if (a == "f1-diff") {
    if (v("p.a") == v("p.b") && !within(pw, al, sqrt(al * (1 - al) / conv), 3.5)) fail("type I error of the F1 test")
    if (v("p.a") != v("p.b") && !within(v("average.param"), 0.1, 1e-12, 1)) fail("population F1 difference")
  } else if (a == "vaar") {
    want = v("group") == 1 ? 1 : 0.5
    if (v("average.param") != want) fail("population VAAR " v("average.param") " is not " want)
    if (v("group") == 1 && pw < 0.9) fail("strict VAAR = 1 in fewer than 90% at n = 400")
  } else if (a == "invariance") {
    if (!within(pw, al, sqrt(al * (1 - al) / conv), 3.5)) fail("type I error of the LRT")
    if (!within(v("estimate.average"), 3, mcse, 3.5)) fail("mean chi-square difference vs df 3")
  }
}
END { exit bad > 0 }' "$dir/$f.csv" || bad=1
done
exit $bad
