/*
 * cmd.h: what a user types: a message for the room, or a command
 * (/nick, /join, ...) found by name in a table that also feeds /help.
 */
#ifndef CMD_H
#define CMD_H

#include <stddef.h>

struct user;

/* Carries out one typed line of a registered user (chat_typed_cb). */
void	cmd_line(struct user *, const char *line, size_t len);

#endif /* CMD_H */
