import { describe, expect, it } from 'vitest';
import { asHtml5Markup } from '../../src/epub/html5-markup.js';

describe('EPUB 2 markup brought to HTML', () => {
  it.each([
    ['<big>very</big> dark', '<span style="font-size:larger">very</span> dark'],
    ['<tt>wind</tt>', '<span style="font-family:monospace">wind</span>'],
    ['<center>The End</center>', '<div style="text-align:center">The End</div>'],
    [
      '<table summary="Contents" cellpadding="4" cellspacing="0" border="0" width="80%">',
      '<table style="border-spacing:0px;width:80%">',
    ],
    ['<table border="1">', '<table border="1">'],
    [
      '<td align="left" valign="top" class="n">I.</td>',
      '<td class="n" style="text-align:left;vertical-align:top">I.</td>',
    ],
    ['<p style="color:red;" align="center">x</p>', '<p style="color:red;text-align:center">x</p>'],
    ['<img src="a.png" width="100" alt=""/>', '<img src="a.png" width="100" alt=""/>'],
    ['<font color="red" size="2">x</font>', '<span style="color:red">x</span>'],
    ['<meta http-equiv="Content-Style-Type" content="text/css"/><title>', '<title>'],
    [
      '<svg width="10"><rect width="5" align="x"/></svg>',
      '<svg width="10"><rect width="5" align="x"/></svg>',
    ],
  ])('%s', (before, after) => {
    expect(asHtml5Markup(before)).toBe(after);
  });

  it('leaves the text and its positions alone where no tag changes', () => {
    const text = '<p id="bf-1">It was <em>dark</em>.</p>';
    expect(asHtml5Markup(text)).toBe(text);
  });
});
