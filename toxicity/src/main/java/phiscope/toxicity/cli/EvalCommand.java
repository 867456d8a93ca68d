package phiscope.toxicity.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.cli.InterventionOption;
import phiscope.toxicity.audit.CapabilityEval;
import phiscope.toxicity.audit.EvalSelection;
import phiscope.toxicity.data.CapabilityReader;
import phiscope.toxicity.data.CapabilityTask;
import phiscope.toxicity.data.EvalDoc;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.run.DatasetDigest;
import phiscope.toxicity.scoring.ScoringModel;
import phiscope.toxicity.scoring.ScoringModels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code phiscope eval TASK}: a capability eval with lm-evaluation-harness's semantics, as a resumable run. */
@Command(name = "eval",
        description = {"Capability evals with lm-evaluation-harness's semantics (zero-shot), as resumable runs.",
                "Tasks: arc_easy, arc_challenge, hellaswag, piqa, winogrande, boolq, lambada_openai; "
                        + "or your own multiple-choice file with --format mc-jsonl. "
                        + "The run folder (--out) holds manifest.json, results.jsonl (one line per item), summary.json "
                        + "(each metric with its standard error), summary.csv and a chart; started again with the same "
                        + "arguments, a run continues where it stopped."})
public final class EvalCommand implements Callable<Integer> {


    @Parameters(index = "0", paramLabel = "TASK",
            description = "arc_easy, arc_challenge, hellaswag, piqa, winogrande, boolq or lambada_openai; "
                    + "with --format mc-jsonl, any name for your task.")
    String task;

    @Option(names = "--data", required = true, paramLabel = "FILE|DIR",
            description = "The task's data: a .jsonl/.json file in any of its published layouts (the authors', the Hub's, "
                    + "llm-foundry's), or a folder holding the split lm-eval evaluates (e.g. PIQA's valid.jsonl with valid-labels.lst).")
    Path data;

    @Option(names = "--format", defaultValue = EvalSelection.PUBLISHED, paramLabel = "published|mc-jsonl",
            description = "published (default): the task's own layouts; mc-jsonl: one {\"context\", \"choices\", \"label\"} "
                    + "object per line, each choice scored as \" \" + choice after the context.")
    String format;

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N items (as lm-eval's --limit).")
    Integer limit;

    @Option(names = "--sample", paramLabel = "N", description = "N items drawn at random (seeded by --seed), in file order.")
    Integer sample;

    @Option(names = "--seed", defaultValue = "" + EvalSelection.DEFAULT_SEED, paramLabel = "S", description = "Seed of --sample (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "" + CapabilityEval.DEFAULT_BATCH_SIZE, paramLabel = "N",
            description = "Items whose choices are scored together, packed into shared passes (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    RunOptions run;

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Mixin
    SparkOption spark;

    @Spec
    CommandSpec spec;

    private final ModelOpener models;
    private final RunLauncher launcher;

    public EvalCommand() {
        this(ScoringModels::open);
    }

    public EvalCommand(ModelOpener models) {
        this(models, RunLauncher.RUN_FOLDER);
    }

    public EvalCommand(ModelOpener models, RunLauncher launcher) {
        this.models = models;
        this.launcher = launcher;
    }

    @Override
    public Integer call() throws Exception {
        return AuditSubcommand.refusing(spec.commandLine().getErr(), "phiscope eval " + task, this::execute);
    }

    private int execute() {
        if (batchSize < 1) throw usage("--batch-size must be at least 1, not " + batchSize);
        EvalSelection selection;
        try {
            selection = new EvalSelection(format, optional(limit), optional(sample), seed);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Rows<EvalDoc> rows = switch (format) {
            case EvalSelection.PUBLISHED -> CapabilityReader.read(CapabilityTask.named(task).orElseThrow(() -> usage("unknown task '" + task
                    + "'; the tasks are " + String.join(", ", CapabilityTask.names()) + ", or any name with --format " + EvalSelection.MC_JSONL)), data);
            case EvalSelection.MC_JSONL -> CapabilityReader.readMcJsonl(data);
            default -> throw usage("--format is " + EvalSelection.PUBLISHED + " or " + EvalSelection.MC_JSONL + ", not '" + format + "'");
        };
        List<EvalDoc> docs;
        try {
            docs = selection.apply(run.badRows.apply(rows, spec.commandLine().getErr(), "pass --bad-rows=skip"));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        // On Spark the executors score, so this JVM holds the model the cheapest way (it needs its id and tokenizer).
        ScoringModel scoring = models.open(spark.master().isPresent() ? model.cheapest() : model, intervention);
        launcher.launch(new RunRequest(run.out, new CapabilityEval(scoring, task, docs, batchSize, selection), scoring.id(), scoring.intervention(),
                DatasetDigest.of(data, rows.files()), spark.master(), Invocation.of(spec, model), spec.commandLine().getOut()));
        return 0;
    }

    private static OptionalInt optional(Integer value) {
        return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
