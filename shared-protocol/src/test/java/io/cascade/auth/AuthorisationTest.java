package io.cascade.auth;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class AuthorisationTest {
    private static final String SECRET = "a-secret-of-32-bytes-for-tests!!";

    @Test
    void eachActionFollowsItsOwnMode(Vertx vertx) throws Exception {
        Authorisation auth = Authorisation.of(vertx, new Authorisation.Config(Authorisation.Mode.TOKEN,
                Authorisation.Mode.NONE, SECRET, "", "", 0, 1_000, false));
        assertFalse(check(auth, Action.PUBLISH, "").allowed());
        assertTrue(check(auth, Action.PLAY, "").allowed(), "plays ask for nothing");
        long expires = System.currentTimeMillis() / 1000 + 60;
        assertTrue(check(auth, Action.PUBLISH, auth.tokens().mint(Action.PUBLISH, "cam1", expires)).allowed());
        assertFalse(check(auth, Action.PUBLISH, auth.tokens().mint(Action.PUBLISH, "cam1", expires - 120)).allowed());
        assertTrue(check(Authorisation.OPEN, Action.PUBLISH, "").allowed());
        assertNull(Authorisation.OPEN.tokens());
    }

    private static Verdict check(Authorisation auth, Action action, String query) throws Exception {
        return auth.check(new AccessRequest(action, "cam1", query, "rtmp", "127.0.0.1:1"))
                .await(5, TimeUnit.SECONDS);
    }

    @Test
    void valuesThatCannotWorkTogetherAreNamed(Vertx vertx) {
        Authorisation.Config noSecret = new Authorisation.Config(Authorisation.Mode.NONE, Authorisation.Mode.TOKEN,
                "", "", "", 0, 1_000, false);
        assertEquals(List.of("auth.secret must be set when auth.publish or auth.play is token"), noSecret.problems());
        Authorisation.Config noUrl = new Authorisation.Config(Authorisation.Mode.CALLBACK, Authorisation.Mode.NONE,
                "", "", "", 0, 1_000, false);
        assertEquals(List.of("auth.callback.url must be set when auth.publish or auth.play is callback"),
                noUrl.problems());
        assertThrows(IllegalArgumentException.class, () -> Authorisation.of(vertx, noSecret));
        assertTrue(Authorisation.Config.OPEN.problems().isEmpty());
    }

    @Test
    void passwordsWantAReadableUsersFileAndItsProblemsNameTheLineNotThePassword(Vertx vertx,
                                                                               @TempDir Path dir) throws Exception {
        assertEquals(List.of("auth.users must be set when auth.publish or auth.play is password"),
                passwords("").problems());
        Path missing = dir.resolve("missing.txt");
        assertEquals(List.of("auth.users " + missing + ": cannot be read (NoSuchFileException)"),
                passwords(missing.toString()).problems());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "ok:fine\nbroken-hunter2\n");
        assertEquals(List.of("auth.users " + bad + ": line 2: not user:password"), passwords(bad.toString()).problems());
        Path good = Files.writeString(dir.resolve("users.txt"), "enc:hunter2\n");
        Authorisation auth = Authorisation.of(vertx, passwords(good.toString()));
        assertEquals(1, auth.passwords().size());
        assertEquals("Basic realm=\"cascade\"", auth.httpChallenge(Action.PLAY));
        assertTrue(check(auth, new Credentials("", "enc", true)).allowed());
        Verdict challenge = check(auth, Credentials.NONE);
        assertFalse(challenge.allowed());
        assertTrue(auth.isChallenge(Action.PLAY, challenge), "no password offered: asked for one");
        Verdict refused = check(auth, new Credentials("", "", true));
        assertFalse(refused.allowed());
        assertFalse(auth.isChallenge(Action.PLAY, refused), "a wrong password is a refusal");
    }

    private static Authorisation.Config passwords(String file) {
        return new Authorisation.Config(Authorisation.Mode.NONE, Authorisation.Mode.PASSWORD, "", file, "", 0, 1_000,
                false);
    }

    private static Verdict check(Authorisation auth, Credentials credentials) throws Exception {
        return auth.check(new AccessRequest(Action.PLAY, "cam1", credentials, "rtsp", "127.0.0.1:1"))
                .await(5, TimeUnit.SECONDS);
    }

    @Test
    void theSettingsRefuseWhatTheyCannotUseWithoutRepeatingTheSecret() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Authorisation.SECRET.parse("tooshort", "flag --auth.secret"));
        assertFalse(e.getMessage().contains("tooshort"), e.getMessage());
        assertTrue(e.getMessage().startsWith("auth.secret must be empty or at least 16 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Authorisation.PUBLISH.parse("tokens", "test"));
        assertEquals(Authorisation.Mode.CALLBACK, Authorisation.PLAY.parse("Callback", "test"));
        for (String bad : new String[] {"ftp://x/y", "http://", "not a url", "/relative"}) {
            assertThrows(IllegalArgumentException.class, () -> Authorisation.CALLBACK_URL.parse(bad, "test"), bad);
        }
        assertEquals("https://auth.example/check", Authorisation.CALLBACK_URL.parse("https://auth.example/check", "t"));
    }
}
