package phiscope.scale;

import java.util.ArrayList;
import java.util.List;
import phiscope.toxicity.cli.ToxicityCommands;
import picocli.CommandLine;

/**
 * The driver's main class under spark-submit: {@code phiscope audit ...} and {@code phiscope eval
 * ...} on the master spark-submit was given, unless the command names one with --spark.
 */
public final class SparkMain {

    private SparkMain() {
    }

    public static void main(String[] args) {
        List<String> command = new ArrayList<>(List.of(args));
        boolean named = command.stream().anyMatch(a -> a.equals("--spark") || a.startsWith("--spark="));
        // spark-submit hands the master to the driver as the system property spark.master.
        if (!named) command.addAll(List.of("--spark", System.getProperty("spark.master", "local[*]")));
        CommandLine cli = new CommandLine(new CommandRoot());
        ToxicityCommands.all().forEach(cli::addSubcommand);
        System.exit(cli.execute(command.toArray(String[]::new)));
    }
}
