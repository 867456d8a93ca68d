package phiscope.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.cli.InterventionOption;
import phiscope.web.server.ConfinedFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", description = {
    "Run the browser workbench on a model: tokens, attention, activations, lenses, probes, steering, generation, SAE features and audits.",
    "Serves http://127.0.0.1:7070/ unless told otherwise; Ctrl-C stops it."})
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: ${DEFAULT-VALUE}; "
            + "anything but loopback exposes the model to the network, without authentication).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port = 7070;

    @Option(names = "--runs", paramLabel = "DIR", description = "Folder of audit runs clients may name (default: runs/ in the project).")
    Path runs;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder of datasets clients may name (default: notebooks-data/ in the project).")
    Path data;

    @Option(names = "--probes", paramLabel = "DIR", description = "Folder of saved probes and probe sweep results clients may name "
            + "(default: the runs folder).")
    Path probes;

    @Option(names = "--saes", paramLabel = "DIR", description = "Folder of SAELens SAE folders to offer (default: the model's saes/ folder).")
    Path saes;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Most tokens one generation may ask for (default: ${DEFAULT-VALUE}).")
    int maxNewTokens = Limits.DEFAULTS.maxNewTokens();

    @Option(names = "--queue", paramLabel = "N", description = "Requests that may wait for the model before more get 429 (default: ${DEFAULT-VALUE}).")
    int queue = Limits.DEFAULTS.analysisQueue();

    @Option(names = "--max-generations", paramLabel = "N", description = "Generations open at once (default: ${DEFAULT-VALUE}).")
    int maxGenerations = Limits.DEFAULTS.maxGenerations();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest a request may take before it is cancelled (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = Limits.DEFAULTS.timeoutSeconds();

    @Option(names = "--cache-mb", paramLabel = "MB", description = "Memory for activations kept between requests (default: ${DEFAULT-VALUE}).")
    long cacheMegabytes = Limits.DEFAULTS.cacheMegabytes();

    @Option(names = "--max-audits", paramLabel = "N", description = "Audit runs running at once (default: ${DEFAULT-VALUE}).")
    int maxAudits = Limits.DEFAULTS.maxAudits();

    @Override
    public Integer call() throws InterruptedException {
        Limits limits = new Limits(maxNewTokens, Limits.DEFAULTS.maxBodyBytes(), queue, maxGenerations, timeoutSeconds,
                cacheMegabytes, Limits.DEFAULTS.maxPatternSize(), maxAudits);
        if (!isLoopback(host)) {
            log.warn("listening on {}, which is not a loopback address: anyone who can reach this machine can use the "
                    + "workbench and its model (there is no authentication)", host);
        }
        Phi phi = intervention.load(model);
        Path runsFolder = runs != null ? runs : projectFolder("runs");
        Workbench workbench = Workbench.start(phi, intervention.stamp(), host, port, limits, new Folders(ConfinedFolder.of(runsFolder),
                ConfinedFolder.of(data != null ? data : projectFolder("notebooks-data")),
                ConfinedFolder.of(probes != null ? probes : runsFolder),
                saes != null ? saes : phi.model().directory().resolve("saes")));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            workbench.close();
            phi.close();
            stopped.countDown();
        }, "phiscope-shutdown"));
        System.out.println("phiscope workbench on " + phi.model().directory() + " (" + phi.config().numLayers() + " layers x "
                + phi.config().numHeads() + " heads): " + workbench.app().url(host));
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + " is not a known address");
        }
    }

    /** A folder of the project the launcher runs from ({@code phiscope.home}), else of the working directory. */
    private static Path projectFolder(String name) {
        String home = System.getProperty("phiscope.home");
        return (home != null ? Path.of(home) : Path.of("")).resolve(name);
    }
}
