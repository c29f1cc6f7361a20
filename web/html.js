// One `html` tag for every view: htm turns tagged templates into Preact elements, no build step.
import htm from 'htm';
import { h } from 'preact';

export const html = htm.bind(h);
