// Imported first by main.ts: marks when the page's script begins to run (the launch marks tell
// fetching and compiling the script apart from running its modules).
performance.mark('stepup:eval');
