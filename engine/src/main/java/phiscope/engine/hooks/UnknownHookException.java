package phiscope.engine.hooks;

import java.util.List;

/** A hook name or pattern that names no hook point; the message lists the closest real names. */
public final class UnknownHookException extends IllegalArgumentException {

    private final List<String> suggestions;

    public UnknownHookException(String name, List<String> suggestions) {
        super("unknown hook '" + name + "'; closest hook names: " + String.join(", ", suggestions));
        this.suggestions = List.copyOf(suggestions);
    }

    public List<String> suggestions() {
        return suggestions;
    }
}
