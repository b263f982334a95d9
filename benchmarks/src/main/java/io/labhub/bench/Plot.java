package io.labhub.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One PNG line chart of a scaling curve, drawn with XChart (org.knowm.xchart) so that no benchmark
 * hand-draws axes: a curve is its median per x, and each launch's figures are shown as points beside
 * it, so the spread between launches stays visible. Missing figures (NaN) are left out.
 *
 * <pre>
 * Plot.of("pub/sub 64 B", "subscribers", "delivered messages/s").logX()
 *     .curve("LabHub CURVE", x, medians).points("launches", xs, ys).save(dir.resolve("pubsub.png"));
 * </pre>
 */
final class Plot {

    private final XYChart chart;

    private Plot(String title, String xTitle, String yTitle) {
        chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        var s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setChartBackgroundColor(java.awt.Color.WHITE);
        s.setPlotBackgroundColor(java.awt.Color.WHITE);
        s.setMarkerSize(7);
        s.setYAxisDecimalPattern("#,##0.###");
        s.setXAxisDecimalPattern("#,##0.###");
        s.setYAxisMin(0.0);
    }

    static Plot of(String title, String xTitle, String yTitle) {
        return new Plot(title, xTitle, yTitle);
    }

    /** A logarithmic x axis (1, 10, 100 ... evenly apart). */
    Plot logX() {
        chart.getStyler().setXAxisLogarithmic(true);
        return this;
    }

    /** A logarithmic y axis (the y minimum of 0 no longer applies). */
    Plot logY() {
        chart.getStyler().setYAxisMin(null);
        chart.getStyler().setYAxisLogarithmic(true);
        return this;
    }

    /** A line through (x, y) with a marker on each point. */
    Plot curve(String name, double[] x, double[] y) {
        double[][] xy = finite(x, y);
        if (xy[0].length > 0) {
            XYSeries s = chart.addSeries(name, xy[0], xy[1]);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        }
        return this;
    }

    /** Points only (each launch's figure, say), no line. */
    Plot points(String name, double[] x, double[] y) {
        double[][] xy = finite(x, y);
        if (xy[0].length > 0) {
            XYSeries s = chart.addSeries(name, xy[0], xy[1]);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CROSS);
        }
        return this;
    }

    /** Writes the chart as a PNG to {@code file} (parent folders created). */
    void save(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** The (x, y) pairs where both are finite (and x > 0 when the axis is logarithmic). */
    private double[][] finite(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x and y differ in length: " + x.length + " and " + y.length);
        }
        boolean logX = chart.getStyler().isXAxisLogarithmic();
        boolean logY = chart.getStyler().isYAxisLogarithmic();
        int[] keep = java.util.stream.IntStream.range(0, x.length)
                .filter(i -> Double.isFinite(x[i]) && Double.isFinite(y[i]) && (!logX || x[i] > 0) && (!logY || y[i] > 0))
                .toArray();
        return new double[][] {Arrays.stream(keep).mapToDouble(i -> x[i]).toArray(),
                Arrays.stream(keep).mapToDouble(i -> y[i]).toArray()};
    }
}
