package phiscope.web;

/**
 * What one request may ask of the shared model, and how much work may wait for it.
 *
 * @param maxNewTokens most tokens one generation may produce
 * @param maxBodyBytes largest request body
 * @param analysisQueue analyses that may wait for the model at once (more: 429)
 * @param maxGenerations generations that may be open at once, waiting or streaming (more: 429)
 * @param timeoutSeconds longest a request may take, waiting included, before it is cancelled (503)
 * @param cacheMegabytes memory for activations kept between requests about the same prompt
 * @param maxPatternSize most rows (and columns) of an attention pattern sent; longer prompts are downsampled
 * @param maxAudits audit runs that may run at once (more: 429)
 */
public record Limits(int maxNewTokens, int maxBodyBytes, int analysisQueue, int maxGenerations, long timeoutSeconds,
                     long cacheMegabytes, int maxPatternSize, int maxAudits) {

    /**
     * The cache may take a third of the heap, at most 2 GB: enough to keep every layer's patterns
     * and neurons of a 512-token prompt on Phi-2, so that no view of it needs another forward pass.
     */
    public static final Limits DEFAULTS = new Limits(512, 1 << 20, 32, 4, 300,
            Math.min(2048, Runtime.getRuntime().maxMemory() / 3 >> 20), 1024, 2);

    public Limits {
        if (maxNewTokens < 1 || maxBodyBytes < 1024 || analysisQueue < 1 || maxGenerations < 1 || timeoutSeconds < 1
                || cacheMegabytes < 0 || maxPatternSize < 16 || maxAudits < 1) {
            throw new IllegalArgumentException("limits out of range: " + this);
        }
    }
}
