package phiscope.web.explore;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.Context;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import phiscope.engine.Phi;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.Generator;
import phiscope.engine.model.Sampler;
import phiscope.web.App;
import phiscope.web.Limits;
import phiscope.web.server.ApiException;
import phiscope.web.server.Check;
import phiscope.web.server.EventStream;
import phiscope.web.server.Job;
import phiscope.web.server.JobStoppedException;
import phiscope.web.server.ModelWorker;
import phiscope.web.server.StrictJson;
import phiscope.web.server.TimedOutException;

/**
 * Generation streamed as server-sent events: {@code POST /api/generate}, and the continuations of
 * any model work that generates ({@link #stream}, e.g. steering's baseline and steered text). The
 * model thread only queues token ids; the request's own thread decodes and writes them, so a slow
 * client never holds up the model, and a client that has gone (a closed tab) is noticed at the
 * next write and its work stopped.
 */
public final class GenerationStream {

    record GenerateRequest(String prompt, BigInteger maxNewTokens, Double temperature, BigInteger topK, Double topP, BigInteger seed) {
    }

    public record Start(int promptTokens, int maxNewTokens) {
    }

    /** {@code continuation} names which of several continuations a token belongs to; absent for a plain generation. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Token(String continuation, int index, int id, String text) {
    }

    /** {@code text} is what was held back waiting for the rest of a character, if anything. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Done(String continuation, String stop, int generated, double seconds, String text) {
    }

    record Failure(String error) {
    }

    /** Model work that streams: it runs on the model thread and generates through {@code sink}. */
    @FunctionalInterface
    public interface StreamedWork {
        void run(Job job, Sink sink);
    }

    /** What the model thread hands the request thread, in order. */
    private sealed interface Produced {
        record Event(String name, Object data) implements Produced {
        }

        record TokenId(String continuation, int id) implements Produced {
        }

        record Finished(String continuation, Generator.Stop stop) implements Produced {
        }

        record End() implements Produced {
        }
    }

    /** The model thread's side of a stream: send an event, or generate one continuation token by token. */
    public final class Sink {
        private final Job job;
        private final BlockingQueue<Produced> produced;

        private Sink(Job job, BlockingQueue<Produced> produced) {
            this.job = job;
            this.produced = produced;
        }

        public void send(String event, Object data) {
            produced.add(new Produced.Event(event, data));
        }

        /** Generates from {@code ids} with {@code hooks}, letting waiting analyses run between tokens. */
        public Generator.Result generate(String continuation, int[] ids, int maxNewTokens, Sampler.Settings settings, Hooks hooks) {
            Generator.Result result = phi.generate(ids, maxNewTokens, settings, job.guard(hooks), id -> {
                produced.add(new Produced.TokenId(continuation, id));
                worker.runWaitingAnalyses();
                return !job.stopped();
            });
            produced.add(new Produced.Finished(continuation, result.stop()));
            return result;
        }
    }

    private static final long HEARTBEAT_MILLIS = 1000;
    private static final Logger log = LoggerFactory.getLogger(GenerationStream.class);

    private final Phi phi;
    private final ModelWorker worker;
    private final PromptEncoder prompts;
    private final Limits limits;

    public GenerationStream(Phi phi, ModelWorker worker, PromptEncoder prompts, Limits limits) {
        this.phi = phi;
        this.worker = worker;
        this.prompts = prompts;
        this.limits = limits;
    }

    void handle(Context ctx) throws IOException {
        GenerateRequest request = StrictJson.body(ctx, GenerateRequest.class);
        int[] ids = prompts.encode(request.prompt(), 1);
        int maxNewTokens = maxNewTokens(request.maxNewTokens(), 64);
        Sampler.Settings settings = settings(request.temperature(), request.topK(), request.topP(), request.seed());
        stream(ctx, new Start(ids.length, maxNewTokens),
                (job, sink) -> sink.generate(null, ids, maxNewTokens, settings, phi.newHooks()));
    }

    public int maxNewTokens(BigInteger requested, int fallback) {
        return Check.inRange("maxNewTokens", requested, fallback, 1, limits.maxNewTokens());
    }

    /**
     * Greedy unless a temperature is given; the sampler refuses temperatures and top-p values out of
     * range. A top-k of 0 is off, and one beyond the vocabulary would mean the same.
     */
    public Sampler.Settings settings(Double temperature, BigInteger topK, Double topP, BigInteger seed) {
        return new Sampler.Settings(temperature == null ? 0 : temperature, Check.inRange("topK", topK, 0, 0, phi.vocabularyLimit()),
                topP == null ? 1 : topP, Check.inLongRange("seed", seed, 0, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /**
     * Queues {@code work} in the generation lane and streams, after a {@code start} event with
     * {@code start} as its data: the events it sends, a {@code token} per generated token and a
     * {@code done} per continuation ({@code error} if the work fails).
     */
    public void stream(Context ctx, Object start, StreamedWork work) throws IOException {
        BlockingQueue<Produced> produced = new LinkedBlockingQueue<>();
        ModelWorker.Task<Void> task = worker.submit(ModelWorker.Lane.GENERATION, job -> {
            try {
                work.run(job, new Sink(job, produced));
            } finally {
                produced.add(new Produced.End());
            }
            return null;
        });
        EventStream events = EventStream.open(ctx);
        events.send("start", start);
        Generator.TextStream text = new Generator.TextStream(phi::decode);
        long began = System.nanoTime();
        int generated = 0;
        while (true) {
            Produced next;
            try {
                next = produced.poll(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                task.cancel();
                Thread.currentThread().interrupt();
                return;
            }
            // A task dropped unrun (past its deadline while waiting) never queues its end.
            if (next == null && task.done() && produced.isEmpty()) {
                next = new Produced.End();
            }
            boolean delivered;
            switch (next) {
                case null -> delivered = events.heartbeat();
                case Produced.Event event -> delivered = events.send(event.name(), event.data());
                case Produced.TokenId token ->
                        delivered = events.send("token", new Token(token.continuation(), generated++, token.id(), text.add(token.id())));
                case Produced.Finished end -> {
                    // The listener stops work that outlived its deadline; the client is still here, so that was it.
                    String stop = end.stop() == Generator.Stop.CANCELLED ? "timeout" : end.stop().name().toLowerCase(Locale.ROOT);
                    delivered = events.send("done", new Done(end.continuation(), stop, generated, seconds(began), text.finish()));
                    text = new Generator.TextStream(phi::decode);
                    began = System.nanoTime();
                    generated = 0;
                }
                case Produced.End end -> {
                    finish(events, task, generated, seconds(began), text);
                    return;
                }
            }
            if (!delivered) {
                task.cancel();
                return;
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** The end of the work: nothing more, unless it failed or never ran in time. */
    private static void finish(EventStream events, ModelWorker.Task<Void> task, int generated, double seconds,
                               Generator.TextStream text) {
        try {
            task.await();
        } catch (TimedOutException e) {
            events.send("done", new Done(null, "timeout", generated, seconds, text.finish()));
        } catch (ApiException | IllegalArgumentException | JobStoppedException e) {
            events.send("error", new Failure(e.getMessage()));
        } catch (RuntimeException e) {
            log.error("a generation failed", e);
            events.send("error", new Failure(App.INTERNAL_ERROR));
        }
    }
}
