package phiscope.toxicity.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import phiscope.toxicity.data.Lexicon;
import phiscope.toxicity.data.Prompt;
import phiscope.toxicity.data.PromptReader;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.generation.GenerationAudit;
import phiscope.probes.linear.LinearProbe;
import phiscope.toxicity.generation.LexiconScorer;
import phiscope.toxicity.generation.ProbeScorer;
import phiscope.toxicity.generation.SelfDiagnosisScorer;
import phiscope.toxicity.generation.ToxicityScorer;
import phiscope.toxicity.scoring.Sampling;
import phiscope.toxicity.scoring.ScoringModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code phiscope audit generate}: a BOLD-style generation audit. */
@Command(name = "generate",
        description = {"Generation audit of BOLD or your own prompts, compared across groups.",
                "k seeded continuations per prompt, scored by each toxicity scorer; per group and scorer: "
                        + "mean, expected maximum, share above the threshold, and a comparison with the other groups."})
final class GenerateCommand extends ModelAuditCommand {

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "A BOLD prompt file (.json), JSON Lines with \"prompt\" and \"group\" (.jsonl), or one prompt per line.")
    Path data;

    @Option(names = "--scorers", split = ",", defaultValue = "self-diagnosis", paramLabel = "NAME",
            description = "Toxicity scorers: self-diagnosis, lexicon, probe (default ${DEFAULT-VALUE}; lexicon and probe "
                    + "are added when --lexicon or --probe is given).")
    List<String> scorerNames;

    @Option(names = "--lexicon", paramLabel = "FILE", description = "Word list for the lexicon scorer, one word or phrase per line.")
    Path lexicon;

    @Option(names = "--probe", paramLabel = "PATH",
            description = "Toxicity probe for the probe scorer (PATH.json + PATH.safetensors, from `audit toxicity-probe`).")
    Path probe;

    @Option(names = "--samples", defaultValue = "5", paramLabel = "K", description = "Continuations per prompt (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--max-new-tokens", defaultValue = "40", paramLabel = "N", description = "Default ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Default ${DEFAULT-VALUE}; 0 is greedy.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Default ${DEFAULT-VALUE} (all tokens).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.9", description = "Default ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--seed", defaultValue = "1", description = "Base seed; each sample's seed derives from it (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--prompts-per-group", paramLabel = "N",
            description = "Use only the first N prompts of each group (BOLD has thousands).")
    Integer promptsPerGroup;

    @Option(names = "--threshold", paramLabel = "SCORER=VALUE",
            description = "Override a scorer's toxicity threshold, e.g. --threshold self-diagnosis=1.5.")
    Map<String, Double> thresholds = new LinkedHashMap<>();

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Samples generated and scored per block (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    int execute() {
        Sampling sampling;
        try {
            sampling = new Sampling(maxNewTokens, temperature, topK, topP, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        int samplesPerPrompt = positive(samples, "--samples");
        int blockSize = positive(batchSize, "--batch-size");
        List<String> names = scorerNames();
        Rows<Prompt> rows = PromptReader.read(data);
        List<Prompt> prompts = accept(rows);
        OptionalInt perGroup = promptsPerGroup == null ? OptionalInt.empty()
                : OptionalInt.of(positive(promptsPerGroup, "--prompts-per-group"));
        Lexicon words = names.contains("lexicon") ? Lexicon.read(lexicon) : null;
        LinearProbe toxicityProbe = names.contains("probe") ? LinearProbe.load(probe) : null;

        ScoringModel model = openModel();
        List<ToxicityScorer> scorers = new ArrayList<>();
        for (String name : names) {
            scorers.add(switch (name) {
                case "self-diagnosis" -> new SelfDiagnosisScorer(model,
                        thresholds.getOrDefault(name, SelfDiagnosisScorer.DEFAULT_THRESHOLD));
                case "lexicon" -> new LexiconScorer(words, thresholds.getOrDefault(name, LexiconScorer.DEFAULT_THRESHOLD));
                case "probe" -> new ProbeScorer(model, toxicityProbe, probe, ToxicityProbeCommand.TOXIC_LABEL,
                        thresholds.getOrDefault(name, ProbeScorer.DEFAULT_THRESHOLD));
                default -> throw new IllegalStateException(name);
            });
        }
        GenerationAudit audit = new GenerationAudit(model, prompts, perGroup, samplesPerPrompt, sampling, scorers, blockSize);
        return runAudit(audit, model, data, rows.files());
    }

    /** The scorers asked for, checked before the model is opened. */
    private List<String> scorerNames() {
        List<String> names = new ArrayList<>(scorerNames);
        if (lexicon != null && !names.contains("lexicon")) names.add("lexicon");
        if (probe != null && !names.contains("probe")) names.add("probe");
        for (String name : names) {
            if (!List.of("self-diagnosis", "lexicon", "probe").contains(name)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown scorer \"" + name
                        + "\"; known: self-diagnosis, lexicon, probe");
            }
        }
        if (names.contains("lexicon") && lexicon == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the lexicon scorer needs --lexicon FILE");
        }
        if (names.contains("probe") && probe == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the probe scorer needs --probe PATH (from `audit toxicity-probe`)");
        }
        for (String name : thresholds.keySet()) {
            if (!names.contains(name)) throw new CommandLine.ParameterException(spec.commandLine(), "--threshold given for unused scorer " + name);
        }
        return names;
    }
}
