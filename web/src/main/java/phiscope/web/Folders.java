package phiscope.web;

import phiscope.web.server.ConfinedFolder;

/**
 * The folders clients may name files in, each by a relative path only.
 *
 * @param runs audit run folders
 * @param data dataset files an audit may be started on
 * @param probes saved probes ({@code NAME.json} + {@code NAME.safetensors}) and probe sweep results
 */
public record Folders(ConfinedFolder runs, ConfinedFolder data, ConfinedFolder probes) {
}
