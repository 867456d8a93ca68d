package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.Optional;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.intervention.Intervention;
import phiscope.probes.intervention.InterventionStamp;
import picocli.CommandLine.Option;

/** {@code --intervention FILE}: what every command that runs a model takes to run it edited. */
public final class InterventionOption {

    @Option(names = "--intervention", paramLabel = "FILE.json",
            description = "Run the model with this saved intervention: steering vectors, head and neuron ablations, SAE feature "
                    + "clamps (made with `phiscope intervention create`). Default: the model as it is.")
    Path file;

    private Intervention loaded;

    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The intervention the option names, read once. */
    public Optional<Intervention> intervention() {
        if (file != null && loaded == null) {
            loaded = Intervention.load(file);
        }
        return Optional.ofNullable(loaded);
    }

    /** How runs record the intervention (see {@link InterventionStamp}). */
    public Optional<InterventionStamp> stamp() {
        return intervention().map(i -> InterventionStamp.of(file, i));
    }

    /** The model {@code model} names, with the intervention made to it; it says on stderr which edit it runs. */
    public Phi load(ModelOptions model) {
        Optional<Intervention> intervention = intervention(); // a broken file is reported before the weights load
        Phi phi = model.load();
        if (intervention.isEmpty()) {
            return phi;
        }
        try {
            Phi edited = intervention.get().applyTo(phi);
            System.err.println("phiscope: running the model edited by " + file + ": " + intervention.get().summary());
            return edited;
        } catch (RuntimeException e) {
            phi.close();
            throw e;
        }
    }
}
