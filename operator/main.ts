// Placeholder until this command lands; see the issues.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('netprofile: this command is not built yet\n');
  return 2;
}
