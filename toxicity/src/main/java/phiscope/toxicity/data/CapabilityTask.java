package phiscope.toxicity.data;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The capability evals phiscope runs with lm-evaluation-harness's semantics, by lm-eval's task
 * name, with the split lm-eval evaluates (which picks the file in a dataset folder).
 */
public enum CapabilityTask {
    ARC_EASY("arc_easy", Split.TEST),
    ARC_CHALLENGE("arc_challenge", Split.TEST),
    HELLASWAG("hellaswag", Split.VALIDATION),
    PIQA("piqa", Split.VALIDATION),
    WINOGRANDE("winogrande", Split.VALIDATION),
    BOOLQ("boolq", Split.VALIDATION),
    LAMBADA_OPENAI("lambada_openai", Split.TEST);

    /** A split, by the words its file names use ("valid.jsonl", "dev.jsonl", "ARC-Easy-Test.jsonl", "test-00000-of-00001.parquet"). */
    enum Split {
        VALIDATION(Set.of("valid", "validation", "val", "dev")),
        TEST(Set.of("test"));

        final Set<String> words;

        Split(Set<String> words) {
            this.words = words;
        }
    }

    private final String taskName;
    final Split split;

    CapabilityTask(String taskName, Split split) {
        this.taskName = taskName;
        this.split = split;
    }

    /** lm-eval's name of the task, e.g. "arc_easy". */
    public String taskName() {
        return taskName;
    }

    public static Optional<CapabilityTask> named(String name) {
        return Arrays.stream(values()).filter(t -> t.taskName.equals(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(CapabilityTask::taskName).toList();
    }
}
