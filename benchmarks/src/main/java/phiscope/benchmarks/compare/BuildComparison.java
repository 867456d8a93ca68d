package phiscope.benchmarks.compare;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Times one workload on two builds of the engine in one JVM, call by call in alternation, and
 * reports the candidate's time over the baseline's as the median of the per-round ratios. On a
 * virtual machine whose memory bandwidth and clock drift by tens of percent between minutes, two
 * runs one after the other compare the minutes as much as the builds; neighbouring calls share
 * the minute. Each build is loaded by a class loader of its own (see {@link BuildLoader}), so
 * both have their own compiled kernels, weights and worker threads.
 *
 * <pre>
 * benchmarks/compare-builds HEAD~1 kernel q8_0 2560x10240 1 2 cold
 * </pre>
 */
public final class BuildComparison {

    private static final long WARM_UP_NANOS = 5_000_000_000L;

    private BuildComparison() {
    }

    public static void main(String[] args) throws Exception {
        try {
            compare(args);
        } catch (IllegalArgumentException e) {
            System.err.println("compare-builds: " + e.getMessage());
            System.exit(2);
        }
        System.exit(0);
    }

    private static void compare(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("""
                    usage: BuildComparison BASELINE_CLASSES CANDIDATE_CLASSES ROUNDS WORKLOAD ARGS...
                      BASELINE_CLASSES, CANDIDATE_CLASSES: each build's engine/target/classes
                      WORKLOAD: %s""".formatted(Workloads.USAGE));
            System.exit(2);
        }
        List<Path> builds = List.of(Path.of(args[0]), Path.of(args[1]));
        int rounds = Workloads.positive(args[2], "ROUNDS");
        String[] workload = Arrays.copyOfRange(args, 3, args.length);
        Path benchmarks = Path.of(BuildComparison.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        DoubleSupplier[] runs = new DoubleSupplier[builds.size()];
        for (int b = 0; b < builds.size(); b++) {
            if (!Files.isDirectory(builds.get(b).resolve("phiscope/engine"))) {
                throw new IllegalArgumentException(builds.get(b) + " holds no compiled engine (phiscope/engine/...)");
            }
            System.err.printf("loading the workload on %s%n", builds.get(b));
            runs[b] = Workloads.create(new BuildLoader(builds.get(b), benchmarks), workload);
        }
        long warmUpStart = System.nanoTime();
        while (System.nanoTime() - warmUpStart < WARM_UP_NANOS) {
            for (DoubleSupplier run : runs) {
                run.getAsDouble();
            }
        }
        double[][] seconds = new double[runs.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < runs.length; i++) {
                int b = (r + i) % runs.length;
                seconds[b][r] = runs[b].getAsDouble();
            }
        }
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratios[r] = seconds[1][r] / seconds[0][r];
        }
        System.out.printf("workload: %s, %d rounds%n", String.join(" ", workload), rounds);
        String[] names = {"baseline ", "candidate"};
        for (int b = 0; b < runs.length; b++) {
            double[] s = seconds[b].clone();
            Arrays.sort(s);
            System.out.printf("%s %s: median %.4f ms (p10 %.4f, p90 %.4f)%n", names[b], builds.get(b),
                    quantile(s, 0.5) * 1e3, quantile(s, 0.1) * 1e3, quantile(s, 0.9) * 1e3);
        }
        Arrays.sort(ratios);
        System.out.printf("candidate / baseline: median %.3f (p10 %.3f, p90 %.3f)%n",
                quantile(ratios, 0.5), quantile(ratios, 0.1), quantile(ratios, 0.9));
    }

    private static double quantile(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }

    /**
     * Loads {@code phiscope.*} classes itself, child first: the engine only from one build's
     * classes, the workloads from the benchmarks jar (so that they link against that build's
     * engine). Everything else (the JDK, Jackson) comes from the application class path, shared.
     */
    static final class BuildLoader extends URLClassLoader {

        private final URLClassLoader engine;

        BuildLoader(Path engineClasses, Path benchmarks) throws IOException {
            super(new URL[] {benchmarks.toUri().toURL()}, BuildComparison.class.getClassLoader());
            engine = new URLClassLoader(new URL[] {engineClasses.toUri().toURL()}, null);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("phiscope.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    loaded = name.startsWith("phiscope.engine.") ? defineFrom(engine, name) : findClass(name);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        private Class<?> defineFrom(URLClassLoader source, String name) throws ClassNotFoundException {
            String file = name.replace('.', '/') + ".class";
            try (var in = source.getResourceAsStream(file)) {
                if (in == null) {
                    throw new ClassNotFoundException(name + " is not in this build");
                }
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
