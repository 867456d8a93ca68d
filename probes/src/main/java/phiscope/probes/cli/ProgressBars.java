package phiscope.probes.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import phiscope.probes.Progress;

/** A plain-text progress bar on stderr for a long run, created on the first update (when the total is known); closing it twice is harmless. */
public final class ProgressBars implements Progress, AutoCloseable {

    private final String task;
    private ProgressBar bar;

    public ProgressBars(String task) {
        this.task = task;
    }

    @Override
    public void advance(String step, int done, int total) {
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUpdateIntervalMillis(250)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err, 100)).build();
        }
        bar.maxHint(total);
        bar.stepTo(done);
        bar.setExtraMessage(step);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            System.err.println();
            bar = null;
        }
    }
}
