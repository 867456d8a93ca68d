package phiscope.web.explore;

import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import phiscope.engine.Phi;
import phiscope.engine.model.Generator;
import phiscope.engine.model.Sampler;
import phiscope.web.Limits;
import phiscope.web.server.Check;
import phiscope.web.server.EventStream;
import phiscope.web.server.Json;
import phiscope.web.server.ModelWorker;
import phiscope.web.server.TimedOutException;

/**
 * {@code POST /api/generate}: continues a prompt and streams each token as a server-sent event
 * as the model produces it. The model thread only queues token ids; this request's own thread
 * decodes and writes them, so a slow client never holds up the model, and a client that has gone
 * (a closed tab) is noticed at the next write and its generation stopped.
 */
final class GenerationStream {

    record GenerateRequest(String prompt, Integer maxNewTokens, Double temperature, Integer topK, Double topP, Long seed) {
    }

    record Start(int promptTokens, int maxNewTokens) {
    }

    record Token(int index, int id, String text) {
    }

    /** {@code text} is what was held back waiting for the rest of a character, if anything. */
    record Done(String stop, int generated, double seconds, String text) {
    }

    record Failure(String error) {
    }

    private static final int END = -1;
    private static final long HEARTBEAT_MILLIS = 1000;

    private final Phi phi;
    private final ModelWorker worker;
    private final PromptEncoder prompts;
    private final Limits limits;

    GenerationStream(Phi phi, ModelWorker worker, PromptEncoder prompts, Limits limits) {
        this.phi = phi;
        this.worker = worker;
        this.prompts = prompts;
        this.limits = limits;
    }

    void handle(Context ctx) throws IOException {
        GenerateRequest request = Json.body(ctx, GenerateRequest.class);
        int[] ids = prompts.encode(request.prompt(), 1);
        int maxNewTokens = Check.inRange("maxNewTokens", request.maxNewTokens(), 64, 1, limits.maxNewTokens());
        Sampler.Settings settings = new Sampler.Settings(
                request.temperature() == null ? 0 : request.temperature(),
                request.topK() == null ? 0 : request.topK(),
                request.topP() == null ? 1 : request.topP(),
                request.seed() == null ? 0 : request.seed());
        BlockingQueue<Integer> produced = new LinkedBlockingQueue<>();
        ModelWorker.Task<Generator.Result> task = worker.submit(ModelWorker.Lane.GENERATION, job -> {
            try {
                return phi.generate(ids, maxNewTokens, settings, job.guard(phi.hooks()), id -> {
                    produced.add(id);
                    worker.runWaitingAnalyses();
                    return !job.stopped();
                });
            } finally {
                produced.add(END);
            }
        });
        EventStream events = EventStream.open(ctx);
        long start = System.nanoTime();
        events.send("start", new Start(ids.length, maxNewTokens));
        Generator.TextStream text = new Generator.TextStream(phi::decode);
        int generated = 0;
        while (true) {
            Integer id;
            try {
                id = produced.poll(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                task.cancel();
                Thread.currentThread().interrupt();
                return;
            }
            // A task dropped unrun (past its deadline while waiting) never queues END.
            if (id == null && task.done() && produced.isEmpty() || id != null && id == END) {
                finish(events, task, generated, (System.nanoTime() - start) / 1e9, text);
                return;
            }
            boolean delivered = id == null ? events.heartbeat() : events.send("token", new Token(generated++, id, text.add(id)));
            if (!delivered) {
                task.cancel();
                return;
            }
        }
    }

    private void finish(EventStream events, ModelWorker.Task<Generator.Result> task, int generated, double seconds,
                        Generator.TextStream text) {
        try {
            Generator.Result result = task.await();
            // The listener stops a generation that outlived its deadline; the client is still here, so that was it.
            String stop = result.stop() == Generator.Stop.CANCELLED ? "timeout" : result.stop().name().toLowerCase(Locale.ROOT);
            events.send("done", new Done(stop, generated, seconds, text.finish()));
        } catch (TimedOutException e) {
            events.send("done", new Done("timeout", generated, seconds, text.finish()));
        } catch (RuntimeException e) {
            events.send("error", new Failure(e.getMessage()));
        }
    }
}
