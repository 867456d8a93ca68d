package phiscope.web.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfinedFolderTest {

    @TempDir
    Path temp;

    @Test
    void relativePathsResolveInsideTheFolder() throws IOException {
        Path root = Files.createDirectories(temp.resolve("runs"));
        ConfinedFolder folder = ConfinedFolder.of(root);
        assertEquals(root.resolve("audit-1/summary.json"), folder.resolve("audit-1/summary.json"));
        assertEquals(root.resolve("a/b.jsonl"), folder.resolve("a/./b.jsonl"));
        assertEquals(root.resolve("a/b.jsonl"), folder.resolve("a\\b.jsonl"));
        assertEquals(root.resolve("not-yet/there.json"), folder.resolve("not-yet/there.json"), "need not exist");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "/etc/passwd", "\\\\server\\share", "C:\\Windows", "c:data.csv", "~/secrets",
        "..", "../outside", "a/../../outside", "a/..", "a\\..\\..\\outside", "./..", ".", "a\0b"})
    void pathsThatLeaveOrNameNothingAreRefused(String clientPath) throws IOException {
        ConfinedFolder folder = ConfinedFolder.of(Files.createDirectories(temp.resolve("data")));
        ApiException refused = assertThrows(ApiException.class, () -> folder.resolve(clientPath));
        assertEquals(400, refused.status());
        assertTrue(refused.getMessage().startsWith("the path '"), refused.getMessage());
    }

    @Test
    void aLinkOutOfTheFolderIsRefused() throws IOException {
        Path root = Files.createDirectories(temp.resolve("data"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "x");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("inside"), Files.createDirectories(root.resolve("real")));
        ConfinedFolder folder = ConfinedFolder.of(root);

        assertThrows(ApiException.class, () -> folder.resolve("escape/secret.txt"));
        assertThrows(ApiException.class, () -> folder.resolve("escape/new-file.txt"));
        assertEquals(root.resolve("inside/x.csv"), folder.resolve("inside/x.csv"), "links that stay inside are fine");
    }

    @Test
    void aFolderThatDoesNotExistYetStillConfines() {
        ConfinedFolder folder = ConfinedFolder.of(temp.resolve("later"));
        assertEquals(temp.resolve("later/run/manifest.json"), folder.resolve("run/manifest.json"));
        assertThrows(ApiException.class, () -> folder.resolve("../x"));
    }
}
