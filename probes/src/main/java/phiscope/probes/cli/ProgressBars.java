package phiscope.probes.cli;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import phiscope.probes.Progress;

/**
 * The command line's progress bar: counts, rate and ETA as plain text, created on the first update
 * (when the total is known); closing it twice is harmless.
 */
public final class ProgressBars implements Progress, AutoCloseable {

    private final String task;
    private final PrintStream stream;
    private final int alreadyDone;
    private ProgressBar bar;

    /** A bar on stderr. */
    public ProgressBars(String task) {
        this(task, System.err, 0);
    }

    /** A bar on {@code stream} for work of which {@code alreadyDone} units were done before (a resumed run): its rate and ETA count only new units. */
    public ProgressBars(String task, PrintStream stream, int alreadyDone) {
        this.task = task;
        this.stream = stream;
        this.alreadyDone = alreadyDone;
    }

    @Override
    public void advance(String step, int done, int total) {
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).startsFrom(alreadyDone, Duration.ZERO)
                    .showSpeed().setUpdateIntervalMillis(250).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(stream, 100)).build();
        }
        bar.maxHint(total);
        bar.stepTo(done);
        bar.setExtraMessage(step);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            stream.println();
            bar = null;
        }
    }
}
