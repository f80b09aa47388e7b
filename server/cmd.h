/*
 * cmd.h: the commands a user types (/nick, /join, ...), dispatched by
 * name from a table.
 */
#ifndef CMD_H
#define CMD_H

struct conn;
struct input;

/* Carries out a parsed command line for a registered user. */
void	cmd_dispatch(struct conn *, const struct input *);
/* Sends c the members of its room. */
void	cmd_who(struct conn *);

#endif /* CMD_H */
