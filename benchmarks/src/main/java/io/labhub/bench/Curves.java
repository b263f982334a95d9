package io.labhub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * How cost grows with the work (issue 14): {@code benchmarks/run --curves [--quick] [--launches N]
 * [--out DIR] [--cases CASE,...]}. Each case runs in a fresh pair of child JVMs of the {@code scale}
 * group ({@link ScaleGroup}: side A publishes and runs the broker, side B subscribes or registers, or
 * holds an shm producer and its consumers), so a
 * case never inherits the previous one's channels or heap; every other launch runs the cases in reverse
 * order. Writes DIR (default target/curves): curves.md, curves.csv and one PNG per curve ({@link Plot}).
 */
public final class Curves {

    private static final Logger LOG = Logger.getLogger(Curves.class.getName());

    static final int[] SUBSCRIBERS = {1, 10, 100};
    static final int[] CHANNELS = {10, 1_000, 10_000};
    static final int[] CONSUMERS = {1, 4, 16, 64};
    /** Figures of a pubsub case, then of a broker case (B's, then A's heap). */
    static final List<String> PUBSUB_FIGURES = List.of("delivered msg/s", "msg/s per subscriber");
    static final List<String> BROKER_FIGURES = List.of("registrations/s", "discover p50 ns", "discover p99 ns",
            "A heap after GC bytes", "broker heap growth bytes");
    /** Figures of an shm case (see {@link ScaleGroup}: the producer and its consumers in one JVM). */
    static final List<String> SHM_FIGURES = List.of("producer msg/s", "read msg/s per consumer",
            "flat-out p99 ns (median consumer)", "paced p99 ns (median consumer)", "paced p99 ns (worst consumer)",
            "producer CPU ns per frame");

    private Curves() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args) ? 0 : 1);
    }

    static List<String> cases() {
        List<String> all = new ArrayList<>();
        for (int n : SUBSCRIBERS) {
            all.add("pubsub.subs." + n);
        }
        for (int n : CHANNELS) {
            all.add("broker.channels." + n);
        }
        for (int n : CONSUMERS) {
            all.add("shm.consumers." + n);
        }
        return all;
    }

    static List<String> figuresOf(String c) {
        return c.startsWith("broker.") ? BROKER_FIGURES : c.startsWith("shm.") ? SHM_FIGURES : PUBSUB_FIGURES;
    }

    static boolean run(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        boolean quick = false;
        int launches = -1;
        Path out = Path.of("target/curves");
        Path features = Path.of(System.getProperty("labhub.features.dir", "target/features"));
        List<String> cases = cases();
        Path replot = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--launches" -> launches = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--features" -> features = Path.of(args[++i]);
                case "--cases" -> cases = List.of(args[++i].split(","));
                case "--replot" -> replot = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (usage: --curves [--quick] [--launches N] [--out DIR] [--features DIR] [--cases CASE,...])");
            }
        }
        if (replot != null) {
            return replot(replot);
        }
        if (launches < 1) {
            launches = quick ? 1 : 3;
        }
        long warmMs = quick ? 200 : 500;
        long measureMs = quick ? 500 : 2000;
        Path logs = Files.createDirectories(out.resolve("logs"));
        Path work = Files.createDirectories(out.resolve("work"));
        Map<String, double[][]> figures = new LinkedHashMap<>();
        for (String c : cases) {
            figures.put(c, new double[launches][]);
        }
        long t0 = System.nanoTime();
        for (int launch = 1; launch <= launches; launch++) {
            List<String> order = new ArrayList<>(cases);
            if (launch % 2 == 0) {
                Collections.reverse(order);
            }
            for (String c : order) {
                try {
                    double[] v = runCase(c, launch, warmMs, measureMs, features.toAbsolutePath(), logs, work);
                    figures.get(c)[launch - 1] = v;
                    int l = launch;
                    LOG.info(() -> "launch " + l + " " + c + " " + java.util.Arrays.toString(v));
                } catch (Exception e) {
                    LOG.warning("launch " + launch + " " + c + " failed: " + e.getMessage());
                    if (String.valueOf(e.getMessage()).contains("init:")) {
                        // A runtime that does not start (stale features, say) fails every case alike: stop here.
                        LOG.warning("a child JVM did not start: the remaining cases are skipped");
                        launch = launches;
                        break;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        write(figures, launches, warmMs, measureMs, seconds, out);
        Bench.deleteTree(work);
        return figures.values().stream().allMatch(l -> java.util.Arrays.stream(l).allMatch(v -> v != null));
    }

    /**
     * {@code --replot DIR}: draws DIR's PNGs and curves.md again from its curves.csv (after a change to
     * the plots, without measuring again); the header keeps the run's first line.
     */
    private static boolean replot(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("curves.csv"));
        int launches = 0;
        for (String l : lines.subList(1, lines.size())) {
            launches = Math.max(launches, Integer.parseInt(l.split(",")[2]));
        }
        Map<String, double[][]> figures = new LinkedHashMap<>();
        for (String c : cases()) {
            figures.put(c, new double[launches][]);
        }
        for (String l : lines.subList(1, lines.size())) {
            String[] w = l.split(",");
            List<String> names = figuresOf(w[0]);
            double[][] all = figures.get(w[0]);
            int launch = Integer.parseInt(w[2]) - 1;
            if (all[launch] == null) {
                all[launch] = new double[names.size()];
                java.util.Arrays.fill(all[launch], Double.NaN);
            }
            all[launch][names.indexOf(w[1])] = Double.parseDouble(w[3]);
        }
        String header = Files.readAllLines(dir.resolve("curves.md")).get(2);
        write(figures, launches, 0, 0, 0, dir);
        List<String> md = new ArrayList<>(Files.readAllLines(dir.resolve("curves.md")));
        md.set(2, header);
        Files.write(dir.resolve("curves.md"), md);
        return true;
    }

    private static double[] runCase(String c, int launch, long warmMs, long measureMs, Path features, Path logs,
                                    Path work) throws Exception {
        Map<String, String> params = Bench.pairParams(features, work.resolve("allowed_keys-" + c + "-" + launch));
        String tag = c.replace('.', '-') + "-" + launch;
        Bench.Proc a = null;
        Bench.Proc b = null;
        try {
            params.put("home", work.resolve("scale-A-" + tag).toAbsolutePath().toString());
            a = Bench.Proc.start("scale", "A", params, warmMs, 0, measureMs, logs.resolve("scale-A-" + tag + ".log"), List.of());
            params.put("peer", a.call(null, 120));
            params.put("home", work.resolve("scale-B-" + tag).toAbsolutePath().toString());
            b = Bench.Proc.start("scale", "B", params, warmMs, 0, measureMs, logs.resolve("scale-B-" + tag + ".log"), List.of());
            b.call(null, 120);
            if (c.startsWith("broker.")) {
                long before = Long.parseLong(a.call("setup " + c, 60));
                double[] r = Bench.parse(b.call("run " + c + " -", 600));
                long after = Long.parseLong(a.call("setup heap", 60));
                return new double[] {r[0], r[1], r[2], after, after - before};
            }
            a.call("setup " + c, 60);
            double[] r = Bench.parse(b.call("run " + c + " -", 300));
            a.call("finish " + c, 60);
            return r;
        } finally {
            if (b != null) {
                b.quit();
            }
            if (a != null) {
                a.quit();
            }
        }
    }

    /** Figure {@code index} of each case with prefix {@code prefix}+n, per launch: [x index][launch]. */
    private static double[][] series(Map<String, double[][]> f, String prefix, int[] xs, int index, int launches) {
        double[][] s = new double[xs.length][launches];
        for (int i = 0; i < xs.length; i++) {
            double[][] all = f.get(prefix + xs[i]);
            for (int l = 0; l < launches; l++) {
                s[i][l] = all == null || all[l] == null || all[l].length <= index ? Double.NaN : all[l][index];
            }
        }
        return s;
    }

    private static double[] medians(double[][] s) {
        double[] m = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            m[i] = Results.median(s[i]);
        }
        return m;
    }

    private static double[] asX(int[] xs) {
        return java.util.Arrays.stream(xs).asDoubleStream().toArray();
    }

    /** Every launch's (x, y) as two flat arrays, for {@link Plot#points}. */
    private static double[][] flat(int[] xs, double[][] s, double scale) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            for (double v : s[i]) {
                pts.add(new double[] {xs[i], v * scale});
            }
        }
        return new double[][] {pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray()};
    }

    private static double[] scaled(double[] v, double k) {
        return java.util.Arrays.stream(v).map(d -> d * k).toArray();
    }

    private static Plot curve(Plot p, String name, int[] xs, double[][] s, double scale) {
        double[][] pts = flat(xs, s, scale);
        return p.curve(name + " (median)", asX(xs), scaled(medians(s), scale)).points(name + " (each launch)", pts[0], pts[1]);
    }

    static void write(Map<String, double[][]> f, int launches, long warmMs, long measureMs, double seconds, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        curve(Plot.of("pub/sub 64 B: delivered rate vs subscribers (CURVE, one publisher)", "subscribers",
                "messages/s delivered (all subscribers)").logX(), "delivered", SUBSCRIBERS,
                series(f, "pubsub.subs.", SUBSCRIBERS, 0, launches), 1).save(dir.resolve("pubsub-subscribers.png"));
        Plot d = Plot.of("broker discover latency vs registered channels", "registered channels", "microseconds").logX();
        curve(d, "p50", CHANNELS, series(f, "broker.channels.", CHANNELS, 1, launches), 1e-3);
        curve(d, "p99", CHANNELS, series(f, "broker.channels.", CHANNELS, 2, launches), 1e-3);
        d.save(dir.resolve("broker-discover.png"));
        curve(Plot.of("broker register rate vs registered channels (one client, 256 in flight)", "registered channels",
                "registrations/s").logX(), "register", CHANNELS,
                series(f, "broker.channels.", CHANNELS, 0, launches), 1).save(dir.resolve("broker-register.png"));
        curve(Plot.of("broker heap growth vs registered channels (used after GC, minus before)", "registered channels",
                "MiB").logX(), "heap growth", CHANNELS,
                series(f, "broker.channels.", CHANNELS, 4, launches), 1.0 / (1 << 20)).save(dir.resolve("broker-heap.png"));
        Plot r = Plot.of("shm 64 B: producer rate vs consumers (one channel, LATEST, blocking readers)", "consumers",
                "messages/s (log)").logX().logY();
        curve(r, "producer", CONSUMERS, series(f, "shm.consumers.", CONSUMERS, 0, launches), 1);
        curve(r, "read per consumer", CONSUMERS, series(f, "shm.consumers.", CONSUMERS, 1, launches), 1);
        r.save(dir.resolve("shm-consumers-rate.png"));
        Plot lat = Plot.of("shm 64 B: consumer p99 latency vs consumers (producer stamp to read)", "consumers",
                "microseconds (log)").logX().logY();
        curve(lat, "flat-out p99", CONSUMERS, series(f, "shm.consumers.", CONSUMERS, 2, launches), 1e-3);
        curve(lat, "paced 1k/s p99", CONSUMERS, series(f, "shm.consumers.", CONSUMERS, 3, launches), 1e-3);
        curve(lat, "paced worst consumer p99", CONSUMERS, series(f, "shm.consumers.", CONSUMERS, 4, launches), 1e-3);
        lat.save(dir.resolve("shm-consumers-latency.png"));
        curve(Plot.of("shm 64 B: producer thread CPU per frame vs consumers (flat out)", "consumers",
                "CPU ns per frame (log)").logX().logY(), "producer CPU", CONSUMERS,
                series(f, "shm.consumers.", CONSUMERS, 5, launches), 1).save(dir.resolve("shm-consumers-cpu.png"));

        StringBuilder md = new StringBuilder("# LabHub scaling curves\n\n");
        md.append(String.format(Locale.ROOT, "%d launch(es), warm-up %d ms, window %d ms, %.0f s in all; "
                + "each case in a fresh pair of JVMs. Median (min..max over launches).%n%n", launches, warmMs, measureMs, seconds));
        md.append("| case | figure | median | min..max |\n| --- | --- | --- | --- |\n");
        StringBuilder csv = new StringBuilder("case,figure,launch,value\n");
        f.forEach((c, all) -> {
            List<String> names = figuresOf(c);
            for (int i = 0; i < names.size(); i++) {
                double[] v = new double[launches];
                for (int l = 0; l < launches; l++) {
                    v[l] = all[l] == null || all[l].length <= i ? Double.NaN : all[l][i];
                    csv.append(c).append(',').append(names.get(i)).append(',').append(l + 1).append(',').append(v[l]).append('\n');
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s..%s |%n", c, names.get(i),
                        num(Results.median(v)), num(Results.min(v)), num(Results.max(v))));
            }
        });
        double[] p99 = medians(series(f, "broker.channels.", CHANNELS, 2, launches));
        if (f.containsKey("broker.channels." + CHANNELS[0])) { // a partial run (--cases) states only its own goals
            md.append(String.format(Locale.ROOT, "%nGoal: broker discover p99 within 2x from 10 to 10,000 channels: "
                    + "%s / %s = %.2fx.%n", num(p99[p99.length - 1]), num(p99[0]), p99[p99.length - 1] / p99[0]));
        }
        double[] shm = medians(series(f, "shm.consumers.", CONSUMERS, 0, launches));
        if (f.containsKey("shm.consumers." + CONSUMERS[0])) {
            md.append(String.format(Locale.ROOT, "%nGoal: shm producer cost flat up to 64 consumers, within 1.5x of one "
                    + "consumer: rate with 1 / with 64 = %s / %s = %.2fx.%n", num(shm[0]), num(shm[shm.length - 1]),
                    shm[0] / shm[shm.length - 1]));
        }
        md.append("\n![pubsub](pubsub-subscribers.png)\n![discover](broker-discover.png)\n"
                + "![register](broker-register.png)\n![heap](broker-heap.png)\n"
                + "![shm rate](shm-consumers-rate.png)\n![shm latency](shm-consumers-latency.png)\n"
                + "![shm producer CPU](shm-consumers-cpu.png)\n");
        Files.writeString(dir.resolve("curves.md"), md);
        Files.writeString(dir.resolve("curves.csv"), csv);
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
