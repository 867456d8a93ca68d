package phiscope.toxicity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import phiscope.engine.model.ScoredTokens;
import phiscope.probes.Pooling;
import phiscope.toxicity.scoring.Sampling;
import phiscope.toxicity.scoring.ScoringModel;

/**
 * A deterministic stand-in for Phi-2: words (with their leading space) are tokens, and the log
 * probability of a token is whatever the test's function says given the tokens before it. The
 * same construction gives the same numbers in every JVM, which the resume tests rely on.
 */
public final class FakeModel implements ScoringModel {

    public static final int END_OF_TEXT = 50256;
    private static final String END_OF_TEXT_TEXT = "<|endoftext|>";
    private static final Pattern PIECES = Pattern.compile("\\s*\\S+|\\s+");
    private static final List<String> WORDS = List.of(" the", " a", " nice", " day", " people", " idiot", " friendly",
            " said", " shit", " and", " very", " kind", ".");

    @FunctionalInterface
    public interface LogProb {
        double of(List<String> before, String token);
    }

    private final String id;
    private final LogProb logProb;
    private final long delayMillisPerCall;
    private final Map<Integer, String> pieces = new ConcurrentHashMap<>();
    private final AtomicLong sequencesScored = new AtomicLong();

    public FakeModel(String id, LogProb logProb, long delayMillisPerCall) {
        this.id = id;
        this.logProb = logProb;
        this.delayMillisPerCall = delayMillisPerCall;
        pieces.put(END_OF_TEXT, END_OF_TEXT_TEXT);
    }

    public FakeModel(LogProb logProb) {
        this("fake-words-v1", logProb, 0);
    }

    /** Longer words are less likely: different sentences get different, deterministic scores. */
    public static double byLength(List<String> before, String token) {
        return -1.0 - 0.25 * token.strip().length() - 0.01 * before.size();
    }

    /** Like {@link #byLength}, but the given words are much more likely. */
    public static LogProb preferring(String... words) {
        List<String> preferred = List.of(words);
        return (before, token) -> preferred.contains(token.strip()) ? -0.1 : byLength(before, token);
    }

    public long sequencesScored() {
        return sequencesScored.get();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            String piece = m.group();
            int tokenId = piece.equals(END_OF_TEXT_TEXT) ? END_OF_TEXT : 1 + Math.floorMod(piece.hashCode(), 50000);
            pieces.put(tokenId, piece);
            ids.add(tokenId);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        for (int tokenId : ids) text.append(pieces.getOrDefault(tokenId, "?"));
        return text.toString();
    }

    @Override
    public int endOfText() {
        return END_OF_TEXT;
    }

    /** Longer than any test's text; {@link #scoreTokens} refuses longer sequences, as the engine does. */
    public static final int CONTEXT_LENGTH = 4096;

    @Override
    public int contextLength() {
        return CONTEXT_LENGTH;
    }

    /**
     * A token counts as the greedy choice when its probability is above one half, which no other
     * token can then reach.
     */
    @Override
    public List<ScoredTokens> scoreTokens(List<int[]> sequences) {
        if (delayMillisPerCall > 0) {
            try {
                Thread.sleep(delayMillisPerCall);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        List<ScoredTokens> result = new ArrayList<>(sequences.size());
        for (int[] ids : sequences) {
            if (ids.length < 1) throw new IllegalArgumentException("empty sequence");
            if (ids.length > CONTEXT_LENGTH) throw new IllegalArgumentException(ids.length + " tokens do not fit");
            List<String> before = new ArrayList<>();
            before.add(pieces.get(ids[0]));
            float[] lp = new float[ids.length - 1];
            boolean[] greedy = new boolean[lp.length];
            for (int i = 1; i < ids.length; i++) {
                String token = pieces.get(ids[i]);
                lp[i - 1] = (float) logProb.of(List.copyOf(before), token);
                greedy[i - 1] = lp[i - 1] > Math.log(0.5);
                before.add(token);
            }
            result.add(new ScoredTokens(lp, greedy));
        }
        sequencesScored.addAndGet(sequences.size());
        return result;
    }

    /**
     * Two features per text whatever the hook: how many of its words are " idiot" or " shit",
     * and how many words it has (means over words with MEAN pooling).
     */
    @Override
    public List<float[]> activations(List<String> texts, String hook, Pooling pooling) {
        List<float[]> result = new ArrayList<>();
        for (String text : texts) {
            List<String> words = new ArrayList<>();
            Matcher m = PIECES.matcher(text);
            while (m.find()) words.add(m.group());
            float rude = words.stream().filter(w -> w.equals(" idiot") || w.equals(" shit")).count();
            float n = Math.max(1, words.size());
            result.add(pooling == Pooling.MEAN ? new float[] {rude / n, 1} : new float[] {rude, n});
        }
        return result;
    }

    /** Seeded words from a small list that includes two profanities, so lexicon scores vary. */
    @Override
    public String generate(String prompt, Sampling sampling) {
        SplittableRandom random = new SplittableRandom(sampling.seed() ^ prompt.hashCode());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sampling.maxNewTokens(); i++) text.append(WORDS.get(random.nextInt(WORDS.size())));
        return text.toString();
    }
}
