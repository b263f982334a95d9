package io.labhub.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Figures per case ("group/case") and launch, plus failures. */
final class Results {

    final int launches;
    final long warmMs;
    /** Round-trip and one-way cases warm up for at least this many exchanges too (see Measure). */
    final long warmExchanges;
    final long measureMs;
    final boolean quick;
    double seconds;
    /** key -> launch (1-based) -> figures, null where the launch produced none. */
    final Map<String, double[][]> figures = new LinkedHashMap<>();
    final Map<String, String> failures = new LinkedHashMap<>();

    Results(int launches, long warmMs, long measureMs, boolean quick) {
        this.launches = launches;
        this.warmMs = warmMs;
        this.warmExchanges = quick ? 2_000 : 20_000;
        this.measureMs = measureMs;
        this.quick = quick;
        for (Map.Entry<String, List<String>> g : Bench.CASES.entrySet()) {
            for (String c : g.getValue()) {
                figures.put(g.getKey() + "/" + c, new double[launches + 1][]);
            }
        }
    }

    /** A case of the suite, or of a group run only when named (the veth groups: listed only when measured). */
    synchronized void add(String key, int launch, double[] v) {
        figures.computeIfAbsent(key, k -> new double[launches + 1][])[launch] = v;
    }

    synchronized void fail(String key, int launch, String why) {
        failures.put(key + " (launch " + launch + ")", why);
    }

    /** The figure {@code index} of {@code key} per launch, NaN where missing. */
    double[] series(String key, int index) {
        double[][] all = figures.get(key);
        if (all == null) {
            throw new IllegalArgumentException("no case " + key);
        }
        double[] s = new double[launches];
        for (int l = 1; l <= launches; l++) {
            s[l - 1] = all[l] == null || all[l].length <= index ? Double.NaN : all[l][index];
        }
        return s;
    }

    static double median(double[] v) {
        double[] ok = Arrays.stream(v).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (ok.length == 0) {
            return Double.NaN;
        }
        int m = ok.length / 2;
        return ok.length % 2 == 1 ? ok[m] : (ok[m - 1] + ok[m]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).filter(d -> !Double.isNaN(d)).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
    }

    /** Per-launch ratios subject/reference, for the launches that have both. */
    static double[] ratios(double[] subject, double[] reference) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < subject.length; i++) {
            if (!Double.isNaN(subject[i]) && !Double.isNaN(reference[i]) && reference[i] != 0) {
                r.add(subject[i] / reference[i]);
            }
        }
        return r.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Every row of the report has a subject, a reference and a ratio. */
    boolean complete() {
        for (Report.Row row : Report.ROWS) {
            if (Double.isNaN(median(series(row.subject(), row.subjectIndex())))
                    || Double.isNaN(median(Report.referenceSeries(this, row)))
                    || ratios(series(row.subject(), row.subjectIndex()), Report.referenceSeries(this, row)).length == 0) {
                return false;
            }
        }
        return true;
    }
}
