package phiscope.web.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import phiscope.engine.Phi;
import phiscope.engine.tokenizer.Tokenizer;
import phiscope.web.server.ApiException;

/** Turns request prompts into token ids within the model's context, and ids back into displayable tokens. */
public final class PromptEncoder {

    /** One token as the views show it: the text it stands for and its spelling in the vocabulary. */
    public record TokenInfo(int index, int id, String text, String token) {
    }

    private final Phi phi;

    public PromptEncoder(Phi phi) {
        this.phi = phi;
    }

    public int context() {
        return phi.config().maxPositions();
    }

    /** The ids of a prompt that must fit the context ({@code reserve} positions left free for generation). */
    public int[] encode(String prompt, int reserve) {
        int[] ids = encodeAny("prompt", prompt);
        int limit = context() - reserve;
        if (ids.length > limit) {
            throw ApiException.badRequest("the prompt has " + ids.length + " tokens; the limit is " + limit
                    + (reserve > 0 ? " (the model's context of " + context() + " less room to generate)" : " (the model's context)"),
                    Map.of("tokens", ids.length, "limit", limit));
        }
        return ids;
    }

    /** The ids of any non-empty prompt, however long (tokenizing is how a client learns the length). */
    public int[] encodeAny(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw ApiException.badRequest("field '" + field + "' is required and must not be empty", Map.of("field", field));
        }
        return phi.encode(text);
    }

    public List<TokenInfo> describe(int[] ids) {
        Tokenizer tokenizer = phi.requireTokenizer();
        List<TokenInfo> tokens = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            tokens.add(new TokenInfo(i, ids[i], tokenizer.decode(ids[i]), tokenizer.token(ids[i])));
        }
        return tokens;
    }

    /** The id of text that must be exactly one token (e.g. " Paris" for a direction in the residual stream). */
    public int singleToken(String field, String text) {
        int[] ids = encodeAny(field, text);
        if (ids.length != 1) {
            throw ApiException.badRequest("field '" + field + "' is " + ids.length + " tokens (" + describe(ids).stream()
                    .map(t -> "'" + t.text() + "'").toList() + "); it must be exactly one", Map.of("field", field));
        }
        return ids[0];
    }
}
