/**
 * The report's records of the clock (the minutes its training took) are marked, so that a
 * comparison with a reproduction (janus verify --expect, whose training took other minutes)
 * sets them aside: the swap-report kind declares CLOCK_IN_HTML as its clock fields.
 *
 *   clockMark('3.2', 'td')              // '<td class="clock">3.2</td>'
 *   html.replace(CLOCK_IN_HTML, '')     // the report without them
 */
export const clockMark = (text: string, tag: 'td' | 'tspan') => `<${tag} class="clock">${text}</${tag}>`;

export const CLOCK_IN_HTML = /<(td|tspan) class="clock">[^<]*<\/\1>/g;
