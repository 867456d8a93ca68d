package phiscope.toxicity.run;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** A progress bar with counts, rate and ETA; a resumed run's rate counts only new items. */
final class Progress implements AutoCloseable {

    private final ProgressBar bar;

    Progress(String task, int total, int alreadyDone, PrintStream stream) {
        bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .startsFrom(alreadyDone, Duration.ZERO)
                .setConsumer(new ConsoleProgressBarConsumer(stream))
                .setUnit(" items", 1)
                .showSpeed()
                .setUpdateIntervalMillis(500)
                .build();
    }

    void stepTo(int done) {
        bar.stepTo(done);
    }

    @Override
    public void close() {
        bar.close();
    }
}
