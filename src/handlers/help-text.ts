/** The answer to `/eve help`, and the tail of replies to commands Eve cannot accept. */
export const HELP_TEXT = [
  "Eve commands (a comment line that starts with the command; write, maintain or admin permission needed):",
  "",
  "- `/eve rerun <stage> [key=value ...]`: run that stage again on this pull request's head commit, with the properties its last run had plus the given ones (EveProperty steps keep them)",
  "- `/eve rerun`: run again every stage of the latest build of the head commit that did not succeed",
  "- `/eve cancel`: cancel the head commit's running build",
  "- `/eve approve`: build this head commit of a pull request from a fork (without secrets); each new push needs a new approval",
  "- `/eve promote <tag>`: copy the artifacts of the head commit's last successful build to `promoted-<tag>`, kept forever (maintain or admin permission)",
  "- `/eve help`: this list",
].join("\n");
