package phiscope.toxicity.data;

/**
 * One CrowS-Pairs pair: two sentences that differ only in the group they are about.
 *
 * @param line          the line its CSV record starts on
 * @param sentMore      the more stereotyping sentence
 * @param sentLess      the less stereotyping sentence
 * @param antiStereo    true when the pair violates a stereotype ("antistereo") rather than
 *                      demonstrating it ("stereo")
 * @param biasType      one of the nine bias types, e.g. "race-color"
 */
public record CrowsPair(int line, String sentMore, String sentLess, boolean antiStereo, String biasType) {

    public String direction() {
        return antiStereo ? "antistereo" : "stereo";
    }
}
