package io.cascade.auth;

import io.cascade.testing.CallbackServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The authorisation callback against a real (tiny) HTTP service: allow, deny, timeout either way, the cache. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CallbackAuthoriserTest {
    private static final AccessRequest PUBLISH = new AccessRequest(Action.PUBLISH, "cam1", "k=v&sig=abc", "rtmp",
            "127.0.0.1:50000");

    private static Verdict await(Future<Verdict> f) throws Exception {
        return f.await(10, TimeUnit.SECONDS);
    }

    @Test
    void aTwoHundredAllowsAnythingElseDeniesAndTheServiceGetsTheRequestAsJson(Vertx vertx) throws Exception {
        try (CallbackServer service = new CallbackServer(body ->
                CallbackServer.Answer.of(new JsonObject(body).getString("name").equals("cam1") ? 204 : 403))) {
            CallbackAuthoriser callback = new CallbackAuthoriser(vertx, service.url(), 0, 2_000, false);
            Verdict allowed = await(callback.check(PUBLISH));
            assertTrue(allowed.allowed(), allowed.reason());
            Verdict denied = await(callback.check(new AccessRequest(Action.PLAY, "cam2", "", "hls", "[::1]:1")));
            assertFalse(denied.allowed());
            assertTrue(denied.reason().contains("403"), denied.reason());
            List<String> requests = service.requests();
            assertEquals(2, requests.size(), requests.toString());
            assertTrue(requests.get(0).startsWith("POST application/json "), requests.get(0));
            JsonObject first = new JsonObject(requests.get(0).substring(requests.get(0).indexOf('{')));
            assertEquals(new JsonObject().put("name", "cam1").put("protocol", "rtmp").put("action", "publish")
                    .put("peer", "127.0.0.1").put("query", "k=v&sig=abc"), first);
            assertEquals("::1", new JsonObject(requests.get(1).substring(requests.get(1).indexOf('{'))).getString("peer"));
            callback.close();
        }
    }

    @Test
    void aServiceThatDoesNotAnswerInTimeCountsAsConfigured(Vertx vertx) throws Exception {
        try (CallbackServer slow = new CallbackServer(body -> new CallbackServer.Answer(200, 3_000))) {
            for (boolean allow : new boolean[] {false, true}) {
                CallbackAuthoriser callback = new CallbackAuthoriser(vertx, slow.url(), 0, 300, allow);
                long t0 = System.nanoTime();
                Verdict v = await(callback.check(PUBLISH));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(allow, v.allowed(), v.reason());
                assertTrue(v.reason().contains("no answer"), v.reason());
                assertTrue(ms >= 250 && ms < 2_500, "decided at the timeout, not at the answer: " + ms + " ms");
                callback.close();
            }
        }
        // nobody listening at all: the same rule
        CallbackAuthoriser nobody = new CallbackAuthoriser(vertx, "http://127.0.0.1:9/auth", 0, 1_000, false);
        Verdict v = await(nobody.check(PUBLISH));
        assertFalse(v.allowed(), v.reason());
        nobody.close();
    }

    @Test
    void answersAreReusedWithinTheCacheTimeAndConcurrentAsksShareOneCall(Vertx vertx) throws Exception {
        try (CallbackServer service = new CallbackServer(body -> new CallbackServer.Answer(200, 200))) {
            CallbackAuthoriser callback = new CallbackAuthoriser(vertx, service.url(), 600, 2_000, false);
            List<Future<Verdict>> crowd = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                crowd.add(callback.check(new AccessRequest(Action.PLAY, "cam1", "t=1", "http", "10.0.0.1:" + (1000 + i))));
            }
            for (Future<Verdict> f : crowd) {
                assertTrue(await(f).allowed());
            }
            assertEquals(1, service.requests().size(), "one call for one client address, whatever its ports");
            assertTrue(await(callback.check(new AccessRequest(Action.PLAY, "cam1", "t=1", "http", "10.0.0.1:9"))).allowed());
            assertEquals(1, service.requests().size(), "reused within the cache time");
            assertTrue(await(callback.check(new AccessRequest(Action.PLAY, "cam1", "t=2", "http", "10.0.0.1:9"))).allowed());
            assertEquals(2, service.requests().size(), "another query is another question");
            Thread.sleep(800);
            service.decide(body -> CallbackServer.Answer.of(401));
            assertFalse(await(callback.check(new AccessRequest(Action.PLAY, "cam1", "t=1", "http", "10.0.0.1:9"))).allowed(),
                    "asked again once the answer is stale");
            assertEquals(3, service.requests().size());
            assertTrue(callback.cached() <= CallbackAuthoriser.MAX_CACHED);
            callback.close();
        }
    }
}
