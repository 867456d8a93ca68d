package phiscope.engine.hooks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import phiscope.engine.model.PhiConfig;

/** One hook point: a site, in a block for per-block sites (block -1 for global ones). */
public record HookPoint(HookSite site, int block) {

    public HookPoint {
        if (site.perBlock() != (block >= 0)) {
            throw new IllegalArgumentException(site.perBlock()
                    ? site.suffix() + " needs a block index" : site.suffix() + " is not inside a block");
        }
    }

    public static HookPoint global(HookSite site) {
        return new HookPoint(site, -1);
    }

    public static HookPoint inBlock(int block, HookSite site) {
        return new HookPoint(site, block);
    }

    /** The TransformerLens name, e.g. {@code blocks.3.attn.hook_pattern}. */
    public String name() {
        return site.perBlock() ? "blocks." + block + "." + site.suffix() : site.suffix();
    }

    /** The activation's shape for {@code queries} new positions attending to {@code keys} positions. */
    public int[] shape(PhiConfig config, int queries, int keys) {
        return switch (site.layout()) {
            case TOKENS_MODEL -> new int[] {queries, config.hiddenSize()};
            case TOKENS_HEADS_HEADDIM -> new int[] {queries, config.numHeads(), config.headDim()};
            case TOKENS_HEADS_MODEL -> new int[] {queries, config.numHeads(), config.hiddenSize()};
            case HEADS_QUERIES_KEYS -> new int[] {config.numHeads(), queries, keys};
            case TOKENS_MLP -> new int[] {queries, config.intermediateSize()};
            case TOKENS_VOCAB -> new int[] {queries, config.vocabSize()};
        };
    }

    @Override
    public String toString() {
        return name();
    }

    /** Every hook point of a model, in forward order. */
    public static List<HookPoint> all(PhiConfig config) {
        List<HookPoint> points = new ArrayList<>();
        points.add(global(HookSite.EMBED));
        for (int b = 0; b < config.numLayers(); b++) {
            for (HookSite site : HookSite.values()) {
                if (site.perBlock()) {
                    points.add(inBlock(b, site));
                }
            }
        }
        points.add(global(HookSite.LN_FINAL));
        points.add(global(HookSite.LOGITS));
        return points;
    }

    /** The hook point with exactly this name; an {@link UnknownHookException} listing close names otherwise. */
    public static HookPoint parse(String name, PhiConfig config) {
        for (HookPoint point : all(config)) {
            if (point.name().equals(name)) {
                return point;
            }
        }
        throw new UnknownHookException(name, suggestions(name, config));
    }

    /**
     * The hook points whose names match {@code pattern}, where {@code *} stands for any run of
     * characters within one dot-separated part ({@code blocks.*.hook_resid_post}). A pattern that
     * matches nothing is an error listing close names.
     */
    public static List<HookPoint> matching(String pattern, PhiConfig config) {
        if (!pattern.contains("*")) {
            return List.of(parse(pattern, config));
        }
        Pattern compiled = glob(pattern);
        List<HookPoint> matches = all(config).stream().filter(p -> compiled.matcher(p.name()).matches()).toList();
        if (matches.isEmpty()) {
            throw new UnknownHookException(pattern, suggestions(pattern.replace("*", "0"), config));
        }
        return matches;
    }

    /** A name pattern as a regular expression: {@code *} stands for any run of characters other than a dot. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[^.]*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    private static List<String> suggestions(String name, PhiConfig config) {
        return all(config).stream()
                .map(HookPoint::name)
                .sorted(Comparator.comparingInt((String candidate) -> editDistance(name, candidate)))
                .limit(5)
                .toList();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
