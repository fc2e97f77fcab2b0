package io.cascade.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An authorisation callback for tests: a small HTTP server on loopback that records every request body and answers
 * with the status (after the delay) its decision function gives for the body.
 */
public final class CallbackServer implements AutoCloseable {
    /** What the server answers one request with: a status, after a delay (to play a slow service). */
    public record Answer(int status, long delayMs) {
        public static Answer of(int status) {
            return new Answer(status, 0);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private volatile Function<String, Answer> decide;

    public CallbackServer(Function<String, Answer> decide) throws IOException {
        this.decide = decide;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            bodies.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type")
                    + " " + body);
            Answer a = this.decide.apply(body);
            if (a.delayMs() > 0) {
                try {
                    Thread.sleep(a.delayMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] reply = "{}".getBytes(StandardCharsets.UTF_8);
            try {
                exchange.sendResponseHeaders(a.status(), reply.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply);
                }
            } catch (IOException gone) {
                // the caller gave up waiting: nothing to answer
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    /** The URL to configure as auth.callback.url. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/auth";
    }

    /** Every request so far: "METHOD content-type body". */
    public List<String> requests() {
        return List.copyOf(bodies);
    }

    public void decide(Function<String, Answer> decide) {
        this.decide = decide;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
