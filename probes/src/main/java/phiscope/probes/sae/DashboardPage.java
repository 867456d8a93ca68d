package phiscope.probes.sae;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Feature dashboards ({@link FeatureDashboards}) as one self-contained HTML page: per feature
 * that fired, its density, an SVG histogram of its activations, its top and quartile contexts
 * with each token shaded by the feature's activation there, and its logit effects.
 */
public final class DashboardPage {

    private static final int BAR_WIDTH = 12;
    private static final int CHART_HEIGHT = 60;

    private DashboardPage() {
    }

    public static String html(JsonNode dashboards) {
        StringBuilder page = new StringBuilder();
        page.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Features of ")
                .append(escape(dashboards.get("sae").asText())).append("</title>\n<style>")
                .append("body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}section{border-top:1px solid #ccc;padding:.5em 0}")
                .append(".ctx{font-family:monospace;white-space:pre;margin:.15em 0}.ctx span{padding:0 1px}.hit{outline:1px solid #c40}")
                .append(".logits{display:flex;gap:2em}.logits ol{margin:.2em 0;font-family:monospace}svg{display:block}")
                .append("</style></head><body>\n<h1>").append(escape(dashboards.get("hook_name").asText())).append(" features</h1>\n<p>")
                .append(escape(dashboards.get("sae").asText())).append(" on ").append(escape(dashboards.get("corpus").asText()))
                .append(", ").append(dashboards.get("tokens").asLong()).append(" tokens</p>\n");
        for (JsonNode feature : dashboards.get("features")) {
            if (feature.get("density").asDouble() == 0) {
                continue;
            }
            double max = feature.get("histogram").get("max").asDouble();
            page.append("<section id=\"f").append(feature.get("feature").asInt()).append("\"><h2>Feature ")
                    .append(feature.get("feature").asInt()).append("</h2><p>fires on ")
                    .append(String.format(Locale.ROOT, "%.3f%%", 100 * feature.get("density").asDouble()))
                    .append(" of tokens; largest activation ").append(String.format(Locale.ROOT, "%.3f", max)).append("</p>\n");
            page.append(histogram(feature.get("histogram")));
            page.append("<h3>Top activations</h3>\n");
            for (JsonNode context : feature.get("top")) {
                page.append(context(context, max));
            }
            page.append("<h3>At the quartiles</h3>\n");
            for (JsonNode context : feature.get("quantiles")) {
                page.append(context(context, max));
            }
            page.append("<div class=\"logits\"><div><h3>Raises</h3>").append(logits(feature.get("positive_logits")))
                    .append("</div><div><h3>Lowers</h3>").append(logits(feature.get("negative_logits"))).append("</div></div></section>\n");
        }
        return page.append("</body></html>\n").toString();
    }

    private static String histogram(JsonNode histogram) {
        JsonNode counts = histogram.get("counts");
        int most = 1;
        for (JsonNode c : counts) {
            most = Math.max(most, c.asInt());
        }
        StringBuilder svg = new StringBuilder("<svg width=\"").append(counts.size() * BAR_WIDTH).append("\" height=\"").append(CHART_HEIGHT)
                .append("\" role=\"img\" aria-label=\"histogram of activations from 0 to ")
                .append(String.format(Locale.ROOT, "%.3f", histogram.get("max").asDouble())).append("\">");
        for (int i = 0; i < counts.size(); i++) {
            int height = (int) Math.round((double) counts.get(i).asInt() / most * (CHART_HEIGHT - 2));
            svg.append("<rect x=\"").append(i * BAR_WIDTH).append("\" y=\"").append(CHART_HEIGHT - height).append("\" width=\"")
                    .append(BAR_WIDTH - 1).append("\" height=\"").append(height).append("\" fill=\"#c40\"><title>")
                    .append(counts.get(i).asInt()).append("</title></rect>");
        }
        return svg.append("</svg>\n").toString();
    }

    private static String context(JsonNode context, double max) {
        StringBuilder line = new StringBuilder("<div class=\"ctx\">");
        int position = context.get("position").asInt();
        for (int t = 0; t < context.get("tokens").size(); t++) {
            double value = context.get("values").get(t).asDouble();
            line.append("<span").append(t == position ? " class=\"hit\"" : "").append(" style=\"background:rgba(204,68,0,")
                    .append(String.format(Locale.ROOT, "%.2f", max > 0 ? value / max : 0)).append(")\" title=\"")
                    .append(String.format(Locale.ROOT, "%.3f", value)).append("\">")
                    .append(escape(context.get("tokens").get(t).asText().replace("\n", "\u23ce"))).append("</span>");
        }
        return line.append("</div>\n").toString();
    }

    private static String logits(JsonNode list) {
        StringBuilder ol = new StringBuilder("<ol>");
        for (JsonNode entry : list) {
            ol.append("<li>").append(escape(entry.get("token").asText().replace("\n", "\u23ce")))
                    .append(String.format(Locale.ROOT, " %+.3f", entry.get("logit").asDouble())).append("</li>");
        }
        return ol.append("</ol>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
