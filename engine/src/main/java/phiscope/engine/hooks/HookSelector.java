package phiscope.engine.hooks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import phiscope.engine.model.PhiConfig;

/**
 * Which activations to keep: a hook name or {@code *} pattern, optionally with a layer slice in
 * place of the block number and head or position slices in brackets:
 * <pre>
 *   blocks.*.hook_resid_post
 *   blocks.0:2.hook_resid_post            blocks 0 and 1
 *   blocks.3.attn.hook_pattern[head=2]
 *   blocks.*.mlp.hook_post[pos=-1]
 *   blocks.1.attn.hook_z[head=0,3][pos=-4:]
 *   blocks.2.hook_resid_post.hook_sae_acts_post[feature=291,7]   with a SAE spliced there
 * </pre>
 * A slice keeps its dimension ({@code [pos=-1]} of {@code hook_resid_post} is {@code [1, D]}), so
 * shapes stay predictable. Positions index the rows of one firing (the query rows of patterns and
 * scores); heads index the head dimension and are refused where there is none; features index the
 * features of a spliced SAE's activations ({@link SplicedPoints}) and are refused elsewhere.
 */
public record HookSelector(String text, String namePattern, IndexSlice layers, IndexSlice heads, IndexSlice positions,
        IndexSlice features) {

    private static final Pattern BRACKET = Pattern.compile("\\[\\s*(head|pos|feature)\\s*=\\s*([^\\]]*)\\]");
    private static final Pattern LAYER_SLICE = Pattern.compile("^blocks\\.([^.*]*[:,][^.]*)\\.(.+)$");

    public static HookSelector parse(String text) {
        String s = text.strip();
        int bracket = s.indexOf('[');
        String name = bracket < 0 ? s : s.substring(0, bracket).strip();
        IndexSlice heads = IndexSlice.ALL;
        IndexSlice positions = IndexSlice.ALL;
        IndexSlice features = IndexSlice.ALL;
        if (bracket >= 0) {
            String rest = s.substring(bracket);
            Matcher m = BRACKET.matcher(rest);
            int end = 0;
            while (m.find() && m.start() == end) {
                IndexSlice slice = IndexSlice.parse(m.group(2));
                switch (m.group(1)) {
                    case "head" -> heads = slice;
                    case "pos" -> positions = slice;
                    default -> features = slice;
                }
                end = m.end();
            }
            if (end != rest.length()) {
                throw new IllegalArgumentException("cannot read the slices of '" + text + "': write [head=2], [pos=-1], "
                        + "[feature=291] or [head=0:2][pos=-3:] after the hook name");
            }
        }
        IndexSlice layers = IndexSlice.ALL;
        Matcher layer = LAYER_SLICE.matcher(name);
        if (layer.matches()) {
            layers = IndexSlice.parse(layer.group(1));
            name = "blocks.*." + layer.group(2);
        }
        return new HookSelector(s, name, layers, heads, positions, features);
    }

    public static List<HookSelector> parseAll(List<String> texts) {
        return texts.stream().map(HookSelector::parse).toList();
    }

    /** The hook points selected in a model; unknown names, layers or heads are errors. */
    public List<HookPoint> points(PhiConfig config) {
        if (namePattern.contains(".hook_sae_")) {
            throw new IllegalArgumentException("'" + text + "' names a point of a sparse autoencoder, and none is spliced at "
                    + namePattern.substring(0, namePattern.indexOf(".hook_sae_")) + ": splice one there first (--sae DIR)");
        }
        if (!features.isAll()) {
            throw new IllegalArgumentException("'" + text + "': [feature=..] selects features of a spliced SAE's hook_sae_acts_pre "
                    + "or hook_sae_acts_post (e.g. blocks.2.hook_resid_post.hook_sae_acts_post[feature=291]), not of a model hook");
        }
        List<HookPoint> matched = HookPoint.matching(namePattern, config);
        List<HookPoint> points = matched;
        if (!layers.isAll()) {
            int[] blocks = layers.resolve(config.numLayers(), "layer");
            points = new ArrayList<>();
            for (int b : blocks) {
                for (HookPoint p : matched) {
                    if (p.block() == b) {
                        points.add(p);
                    }
                }
            }
        }
        if (!heads.isAll()) {
            for (HookPoint p : points) {
                if (headDimension(p.site().layout()) < 0) {
                    throw new IllegalArgumentException("'" + text + "': [head=..] needs a hook with a head dimension "
                            + "(attn.hook_q/k/v/rot_q/rot_k/z/result/attn_scores/pattern), not " + p.name());
                }
            }
            heads.resolve(config.numHeads(), "head");
        }
        return points;
    }

    /**
     * The points spliced into {@code hooks}' passes ({@link SplicedPoints}) that this selector
     * names; empty when it names the model's own points. {@code [head=..]} is refused on them,
     * {@code [feature=..]} on those without features.
     */
    public List<String> splicedNames(Hooks hooks) {
        Pattern pattern = HookPoint.glob(namePattern);
        int[] blocks = layers.isAll() ? null : layers.resolve(hooks.config().numLayers(), "layer");
        List<String> names = new ArrayList<>();
        for (SplicedPoints spliced : hooks.spliced()) {
            if (blocks != null && Arrays.stream(blocks).noneMatch(b -> b == spliced.host().block())) {
                continue;
            }
            for (String name : spliced.pointNames()) {
                if (pattern.matcher(name).matches()) {
                    if (!heads.isAll()) {
                        throw new IllegalArgumentException("'" + text + "': [head=..] does not apply to " + name + ", which has one row per token");
                    }
                    if (!features.isAll() && !spliced.hasFeatures(name)) {
                        throw new IllegalArgumentException("'" + text + "': [feature=..] needs a SAE's hook_sae_acts_pre or "
                                + "hook_sae_acts_post, not " + name);
                    }
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The shape kept of a spliced point when its host fires with {@code rows} rows. */
    public int[] selectedShape(SplicedPoints spliced, String name, int rows) {
        return selectedShape(HookSite.Layout.TOKENS_MODEL, spliced.shape(name, rows));
    }

    /** The shape kept of {@code point} when it fires with {@code rows} query rows over {@code keys} keys. */
    public int[] selectedShape(HookPoint point, PhiConfig config, int rows, int keys) {
        return selectedShape(point.site().layout(), point.shape(config, rows, keys));
    }

    /** The shape kept of an activation as it fires. */
    public int[] selectedShape(Activation activation) {
        return selectedShape(layout(activation), activation.shape());
    }

    private int[] selectedShape(HookSite.Layout layout, int[] shape) {
        int[][] picks = picks(layout, shape);
        for (int d = 0; d < shape.length; d++) {
            if (picks[d] != null) {
                shape[d] = picks[d].length;
            }
        }
        return shape;
    }

    /** Floats kept of {@code point} for a prompt of {@code tokens} tokens run in one pass. */
    public long elements(HookPoint point, PhiConfig config, int tokens) {
        long n = 1;
        for (int d : selectedShape(point, config, tokens, tokens)) {
            n *= d;
        }
        return n;
    }

    /** The selected part of an activation, row-major in {@link #selectedShape} order. */
    public float[] extract(Activation activation) {
        int[] shape = activation.shape();
        int[][] picks = picks(layout(activation), shape);
        int size = 1;
        for (int d = 0; d < shape.length; d++) {
            size *= picks[d] == null ? shape[d] : picks[d].length;
        }
        float[] out = new float[size];
        float[] data = activation.data();
        int base = activation.offset();
        int inner = shape[shape.length - 1];
        int[] first = picks[0] == null ? identity(shape[0]) : picks[0];
        int[] columns = picks[shape.length - 1];
        int at = 0;
        if (shape.length == 2) {
            for (int i : first) {
                if (columns == null) {
                    System.arraycopy(data, base + i * inner, out, at, inner);
                    at += inner;
                } else {
                    for (int c : columns) {
                        out[at++] = data[base + i * inner + c];
                    }
                }
            }
        } else {
            int[] second = picks[1] == null ? identity(shape[1]) : picks[1];
            for (int i : first) {
                for (int j : second) {
                    System.arraycopy(data, base + (i * shape[1] + j) * inner, out, at, inner);
                    at += inner;
                }
            }
        }
        return out;
    }

    /** A spliced point's activation carries its host's point but its own name and shape: one row per token, whatever the host's layout. */
    private static HookSite.Layout layout(Activation activation) {
        return activation.name().equals(activation.point().name()) ? activation.point().site().layout() : HookSite.Layout.TOKENS_MODEL;
    }

    /** Per dimension, the indices kept, or null for all of them. Only features slice the last dimension. */
    private int[][] picks(HookSite.Layout layout, int[] shape) {
        int[][] picks = new int[shape.length][];
        int tokenDim = layout == HookSite.Layout.HEADS_QUERIES_KEYS ? 1 : 0;
        if (!positions.isAll()) {
            picks[tokenDim] = positions.resolve(shape[tokenDim], "position");
        }
        int headDim = headDimension(layout);
        if (!heads.isAll() && headDim >= 0) {
            picks[headDim] = heads.resolve(shape[headDim], "head");
        }
        if (!features.isAll()) {
            picks[shape.length - 1] = features.resolve(shape[shape.length - 1], "feature");
        }
        return picks;
    }

    private static int headDimension(HookSite.Layout layout) {
        return switch (layout) {
            case HEADS_QUERIES_KEYS -> 0;
            case TOKENS_HEADS_HEADDIM, TOKENS_HEADS_MODEL -> 1;
            default -> -1;
        };
    }

    private static int[] identity(int n) {
        int[] ids = new int[n];
        Arrays.setAll(ids, i -> i);
        return ids;
    }

    @Override
    public String toString() {
        return text;
    }
}
