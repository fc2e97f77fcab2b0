package io.cascade.deploy;

import io.cascade.media.MemoryBudget;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Readiness is down while the node starts, up when it is ready, down while its memory is full and again from the
 * moment it stops.
 */
@ExtendWith(VertxExtension.class)
class NodeHealthTest {
    private final AtomicInteger members = new AtomicInteger(1);
    private final MemoryBudget memory = new MemoryBudget(1000, 1000);
    private NodeHealth health;
    private int port;

    /** A Vert.x of the test's own, closed by the extension after it. */
    @BeforeEach
    void serve(Vertx vertx, VertxTestContext ctx) {
        health = new NodeHealth(vertx, "h1", members::get, memory);
        Router router = Router.router(vertx);
        router.get("/healthz").handler(health.livenessHandler());
        router.get("/readyz").handler(health.readinessHandler());
        vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").timeout(10, TimeUnit.SECONDS)
                .onComplete(ctx.succeeding(server -> {
                    port = server.actualPort();
                    ctx.completeNow();
                }));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject check(JsonObject body, String id) {
        JsonArray checks = body.getJsonArray("checks");
        for (int i = 0; i < checks.size(); i++) {
            if (id.equals(checks.getJsonObject(i).getString("id"))) {
                return checks.getJsonObject(i);
            }
        }
        throw new AssertionError("no check " + id + " in " + body.encode());
    }

    @Test
    void readinessFollowsTheNodesLifecycle() throws Exception {
        HttpResponse<String> r = get("/readyz");
        assertEquals(503, r.statusCode(), r.body());
        JsonObject body = new JsonObject(r.body());
        assertEquals("DOWN", body.getString("status"));
        assertEquals("DOWN", body.getString("outcome"));
        assertEquals("DOWN", check(body, "listeners").getString("status"));
        assertEquals("starting", check(body, "listeners").getJsonObject("data").getString("state"));
        assertEquals("UP", check(body, "cluster").getString("status"));

        health.ready(new JsonObject().put("rtmp", "127.0.0.1:1935"));
        r = get("/readyz");
        assertEquals(200, r.statusCode(), r.body());
        body = new JsonObject(r.body());
        assertEquals("UP", body.getString("outcome"));
        assertEquals("127.0.0.1:1935", check(body, "listeners").getJsonObject("data").getString("rtmp"));

        members.set(0); // not in a cluster (the clustering work reports this while joining)
        r = get("/readyz");
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("DOWN", check(new JsonObject(r.body()), "cluster").getString("status"));
        members.set(1);

        memory.caches.take(950); // past the publish mark: send publishers and viewers elsewhere
        r = get("/readyz");
        assertEquals(503, r.statusCode(), r.body());
        JsonObject memoryCheck = check(new JsonObject(r.body()), "memory");
        assertEquals("DOWN", memoryCheck.getString("status"));
        assertEquals(950, memoryCheck.getJsonObject("data").getLong("heldBytes"));
        assertEquals(1000, memoryCheck.getJsonObject("data").getLong("budgetBytes"));
        memory.caches.give(950);
        assertEquals(200, get("/readyz").statusCode());

        health.stopping();
        r = get("/readyz");
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("stopping", check(new JsonObject(r.body()), "listeners").getJsonObject("data").getString("state"));
    }

    @Test
    void livenessIsUpWhateverTheReadiness() throws Exception {
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = get("/healthz");
            assertEquals(200, r.statusCode(), r.body());
            JsonObject body = new JsonObject(r.body());
            assertEquals("UP", body.getString("status"));
            assertEquals("h1", check(body, "node").getJsonObject("data").getString("node"));
            health.stopping();
        }
    }
}
