package phiscope.engine.hooks;

/**
 * The places in Phi-2's forward pass where an activation can be read or written, with their
 * TransformerLens names. Per-block sites are named {@code blocks.L.<suffix>}.
 */
public enum HookSite {
    EMBED("hook_embed", false, Layout.TOKENS_MODEL),
    RESID_PRE("hook_resid_pre", true, Layout.TOKENS_MODEL),
    LN1_NORMALIZED("ln1.hook_normalized", true, Layout.TOKENS_MODEL),
    Q("attn.hook_q", true, Layout.TOKENS_HEADS_HEADDIM),
    K("attn.hook_k", true, Layout.TOKENS_HEADS_HEADDIM),
    V("attn.hook_v", true, Layout.TOKENS_HEADS_HEADDIM),
    ROT_Q("attn.hook_rot_q", true, Layout.TOKENS_HEADS_HEADDIM),
    ROT_K("attn.hook_rot_k", true, Layout.TOKENS_HEADS_HEADDIM),
    ATTN_SCORES("attn.hook_attn_scores", true, Layout.HEADS_QUERIES_KEYS),
    PATTERN("attn.hook_pattern", true, Layout.HEADS_QUERIES_KEYS),
    Z("attn.hook_z", true, Layout.TOKENS_HEADS_HEADDIM),
    RESULT("attn.hook_result", true, Layout.TOKENS_HEADS_MODEL),
    ATTN_OUT("hook_attn_out", true, Layout.TOKENS_MODEL),
    MLP_PRE("mlp.hook_pre", true, Layout.TOKENS_MLP),
    MLP_POST("mlp.hook_post", true, Layout.TOKENS_MLP),
    MLP_OUT("hook_mlp_out", true, Layout.TOKENS_MODEL),
    RESID_POST("hook_resid_post", true, Layout.TOKENS_MODEL),
    LN_FINAL("ln_final.hook_normalized", false, Layout.TOKENS_MODEL),
    LOGITS("unembed.hook_logits", false, Layout.TOKENS_VOCAB);

    /** How an activation's dimensions relate to the model's sizes. */
    public enum Layout { TOKENS_MODEL, TOKENS_HEADS_HEADDIM, TOKENS_HEADS_MODEL, HEADS_QUERIES_KEYS, TOKENS_MLP, TOKENS_VOCAB }

    private final String suffix;
    private final boolean perBlock;
    private final Layout layout;

    HookSite(String suffix, boolean perBlock, Layout layout) {
        this.suffix = suffix;
        this.perBlock = perBlock;
        this.layout = layout;
    }

    public String suffix() {
        return suffix;
    }

    public boolean perBlock() {
        return perBlock;
    }

    public Layout layout() {
        return layout;
    }
}
