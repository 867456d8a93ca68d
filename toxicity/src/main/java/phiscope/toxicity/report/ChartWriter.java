package phiscope.toxicity.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.DecimalFormat;
import java.util.HashSet;
import java.util.Set;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/** Draws a {@link BarChart} as a PNG with JFreeChart. */
final class ChartWriter {

    private static final int WIDTH = 1100;
    private static final int HEIGHT = 650;
    private static final Color[] SERIES_COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0x9467bd)};
    private static final Color MUTED = new Color(0xbbbbbb);
    private static final int MAX_LABELLED_BARS = 24;

    private ChartWriter() {
    }

    static void writePng(BarChart spec, Path target) throws IOException {
        System.setProperty("java.awt.headless", "true"); // no display on servers and CI
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Set<String> mutedKeys = new HashSet<>();
        double low = 0;
        double high = 0;
        for (Bar bar : spec.bars()) {
            data.addValue(Double.isFinite(bar.value()) ? bar.value() : null, bar.series(), bar.category());
            if (bar.muted()) mutedKeys.add(bar.series() + "\u0000" + bar.category());
            if (Double.isFinite(bar.value())) {
                low = Math.min(low, bar.value());
                high = Math.max(high, bar.value());
            }
        }
        boolean legend = data.getRowCount() > 1;
        JFreeChart chart = ChartFactory.createBarChart(spec.title(), null, spec.valueAxisLabel(), data,
                PlotOrientation.VERTICAL, legend, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        plot.getDomainAxis().setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        BarRenderer renderer = new BarRenderer() {
            @Override
            public Paint getItemPaint(int row, int column) {
                String key = data.getRowKey(row) + "\u0000" + data.getColumnKey(column);
                return mutedKeys.contains(key) ? MUTED : SERIES_COLORS[row % SERIES_COLORS.length];
            }
        };
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.###")));
        // Past this many bars their values overlap (a comparison of many metrics): the data files hold them.
        renderer.setDefaultItemLabelsVisible(spec.bars().size() <= MAX_LABELLED_BARS);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int row = 0; row < data.getRowCount(); row++) {
            renderer.setSeriesPaint(row, SERIES_COLORS[row % SERIES_COLORS.length]); // for the legend
        }
        plot.setRenderer(renderer);

        if (spec.reference().isPresent()) {
            double reference = spec.reference().getAsDouble();
            low = Math.min(low, reference);
            high = Math.max(high, reference);
            ValueMarker marker = new ValueMarker(reference, Color.DARK_GRAY,
                    new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
            marker.setLabel(spec.referenceLabel());
            marker.setLabelFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(marker);
        }
        NumberAxis valueAxis = (NumberAxis) plot.getRangeAxis();
        if (spec.scale().isPresent()) {
            valueAxis.setRange(spec.scale().get().low(), spec.scale().get().high());
        } else {
            double span = high > low ? high - low : Math.max(1, Math.abs(high)); // all bars equal: no zoom into noise
            valueAxis.setRange(low < 0 ? low - 0.08 * span : 0, high + 0.08 * span);
        }
        if (!mutedKeys.isEmpty()) {
            chart.addSubtitle(new TextTitle("grey bars: " + spec.mutedMeaning(), new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        }

        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        ChartUtils.saveChartAsPNG(temporary.toFile(), chart, WIDTH, HEIGHT);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
