package phiscope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.tokenizer.TokenizerFixtures.ReferenceCase;

class TokenizerTest {

    private final Tokenizer phi2 = TokenizerFixtures.phi2();

    @Test
    void vocabSizeIsTheLargestIdOfTheFilePlusOne() {
        JsonNode json = TokenizerFixtures.phi2Json();
        int largest = -1;
        for (Map.Entry<String, JsonNode> entry : json.get("model").get("vocab").properties()) {
            largest = Math.max(largest, entry.getValue().intValue());
        }
        for (JsonNode added : json.get("added_tokens")) {
            largest = Math.max(largest, added.get("id").intValue());
        }
        assertEquals(largest + 1, phi2.vocabSize());
        assertEquals(50295, phi2.vocabSize(), "Phi-2 has 50295 real tokens (design notes)");
    }

    @Test
    void idAndTokenAgreeWithEveryEntryOfTheFile() {
        JsonNode json = TokenizerFixtures.phi2Json();
        for (Map.Entry<String, JsonNode> entry : json.get("model").get("vocab").properties()) {
            assertEquals(OptionalInt.of(entry.getValue().intValue()), phi2.id(entry.getKey()), entry.getKey());
            assertEquals(entry.getKey(), phi2.token(entry.getValue().intValue()));
        }
        for (JsonNode added : json.get("added_tokens")) {
            assertEquals(OptionalInt.of(added.get("id").intValue()), phi2.id(added.get("content").textValue()));
            assertEquals(added.get("content").textValue(), phi2.token(added.get("id").intValue()));
        }
        assertEquals(OptionalInt.empty(), phi2.id("no such token"));
    }

    @Test
    void endOfTextIsTheSpecialAddedToken() {
        JsonNode special = null;
        for (JsonNode added : TokenizerFixtures.phi2Json().get("added_tokens")) {
            if (added.get("special").booleanValue()) {
                special = added;
            }
        }
        assertEquals("<|endoftext|>", special.get("content").textValue());
        assertEquals(special.get("id").intValue(), phi2.endOfText());
        assertEquals(50256, phi2.endOfText(), "design notes");
    }

    @Test
    void whitespaceRunsAreAddedTokensMatchedBeforeBpe() {
        // The design notes' example: newline, the 8-space token, "print" without a leading space.
        assertArrayEquals(new int[] {198, 50280, 4798}, phi2.encode("\n        print"));
        assertArrayEquals(new int[] {phi2.id("Ċ").orElseThrow(), phi2.id(" ".repeat(8)).orElseThrow(), phi2.id("print").orElseThrow()},
                phi2.encode("\n        print"));
    }

    @Test
    void decodesEachTokenAlone() {
        assertEquals(" world", phi2.decode(phi2.id("Ġworld").orElseThrow()));
        assertEquals("    ", phi2.decode(phi2.id("    ").orElseThrow()));
        assertEquals("<|endoftext|>", phi2.decode(phi2.endOfText()));
    }

    @Test
    void tokensThatSplitACharacterDecodeAloneToReplacementCharacters() {
        int[] ids = phi2.encode("\uD83D\uDE00"); // 😀 is F0 9F 98 80: no single token holds it
        assertEquals(2, ids.length);
        assertEquals("\uD83D\uDE00", phi2.decode(ids));
        assertEquals("\uFFFD", phi2.decode(ids[0]));
        assertEquals("\uFFFD", phi2.decode(ids[1]));
        assertEquals("\uFFFD\uFFFD", phi2.decode(new int[] {ids[1], ids[0]}));
    }

    @Test
    void idsWithoutATokenAreRejected() {
        for (int id : new int[] {-1, phi2.vocabSize(), 51199}) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> phi2.token(id));
            assertTrue(error.getMessage().startsWith("no token has id " + id), error.getMessage());
            assertThrows(IllegalArgumentException.class, () -> phi2.decode(id));
            assertThrows(IllegalArgumentException.class, () -> phi2.decode(new int[] {0, id}));
        }
    }

    @Test
    void unpairedSurrogatesAreRejected() {
        for (String text : List.of("a\uD800b", "\uDC00", "x\uD83D", "\uDE00\uD83D")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> phi2.encode(text));
            assertTrue(error.getMessage().startsWith("cannot encode text with an unpaired surrogate U+D"), error.getMessage());
        }
    }

    @Test
    void encodingIsThreadSafe() throws Exception {
        // A fresh tokenizer, so the threads also race to fill its word cache.
        Tokenizer fresh = Tokenizer.load(TokenizerFixtures.phi2File("tokenizer.json"));
        List<ReferenceCase> cases = TokenizerFixtures.referenceCases();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                List<ReferenceCase> shuffled = new ArrayList<>(cases);
                Collections.shuffle(shuffled, new Random(thread));
                runs.add(threads.submit(() -> {
                    for (int round = 0; round < 5; round++) {
                        for (ReferenceCase reference : shuffled) {
                            assertArrayEquals(reference.ids(), fresh.encode(reference.text()), reference.text());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
    }

    @Test
    void encodesAMegabyteOfPythonWellUnderASecond() {
        StringBuilder source = new StringBuilder();
        while (source.length() < 1_000_000) {
            TokenizerFixtures.referenceCases().stream().filter(c -> c.kind().equals("code")).forEach(c -> source.append(c.text()));
        }
        String text = source.toString();
        long best = Long.MAX_VALUE;
        for (int run = 0; run < 5; run++) { // the first runs warm up the JIT
            long start = System.nanoTime();
            int[] ids = phi2.encode(text);
            best = Math.min(best, System.nanoTime() - start);
            assertEquals(text, phi2.decode(ids));
        }
        assertTrue(best < Duration.ofSeconds(1).toNanos(), "best of 5: " + best / 1_000_000 + " ms");
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLongWordCostsNoQuadraticTime() {
        // 200,000 letters make one word for BPE; quadratic merging would take minutes.
        String word = "ab".repeat(50_000) + "xyz".repeat(33_000);
        assertEquals(word, phi2.decode(phi2.encode(word)));
    }

    /** Added tokens on the tiny tokenizer: normalized xy, xyz, yzwv and raw (unnormalized) rs. */
    @Test
    void addedTokensMatchLeftmostThenLongestWithRawTokensFirst(@TempDir Path directory) {
        ObjectNode json = TinyTokenizerJson.create();
        int xy = TinyTokenizerJson.addToken(json, "xy", true);
        int xyz = TinyTokenizerJson.addToken(json, "xyz", true);
        int yzwv = TinyTokenizerJson.addToken(json, "yzwv", true);
        int qr = TinyTokenizerJson.addToken(json, "qr", true);
        int rs = TinyTokenizerJson.addToken(json, "rs", false);
        Tokenizer tiny = Tokenizer.load(TinyTokenizerJson.write(json, directory));
        int q = tiny.id("q").orElseThrow();
        int w = tiny.id("w").orElseThrow();
        int v = tiny.id("v").orElseThrow();

        assertArrayEquals(new int[] {xyz, q}, tiny.encode("xyzq"), "the longest of those starting first");
        assertArrayEquals(new int[] {xyz, w, v}, tiny.encode("xyzwv"), "leftmost beats a longer match further on");
        assertArrayEquals(new int[] {xy, q}, tiny.encode("xyq"), "a shorter token where the longer one does not fit");
        assertArrayEquals(new int[] {q, rs}, tiny.encode("qrs"), "tokens of the raw text are cut out before normalized ones");
        assertArrayEquals(new int[] {qr, q}, tiny.encode("qrq"));
    }

    @Test
    void textBetweenAddedTokensIsSplitAsATextOfItsOwn(@TempDir Path directory) {
        Tokenizer tiny = Tokenizer.load(TinyTokenizerJson.write(TinyTokenizerJson.create(), directory));
        int x = tiny.id("x").orElseThrow();
        int space = tiny.id("Ġ").orElseThrow();
        int twoSpaces = tiny.id("ĠĠ").orElseThrow();
        // Before a word, a run of spaces leaves its last space to the word...
        assertArrayEquals(new int[] {x, space, space, tiny.id("y").orElseThrow()}, tiny.encode("x  y"));
        // ...but before an added token the run ends the segment, as in Hugging Face.
        assertArrayEquals(new int[] {x, twoSpaces, tiny.endOfText()}, tiny.encode("x  <|endoftext|>"));
    }
}
