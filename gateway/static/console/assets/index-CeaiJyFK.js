var e,t,n,r,i,a,o,s,c,l,u=Symbol.for(`pv`),d={},f=[],p=/^m(i|n|o|s|text|space)$/,m=Array.isArray,h=f.slice,g=Object.assign;function _(e){e&&e.parentNode&&e.remove()}function v(e,t,n){var r,i,a,o={},s=arguments.length;for(a in t)a==`key`?r=t[a]:a==`ref`&&typeof e!=`function`?i=t[a]:o[a]=t[a];return s>2&&(o.children=s>3?h.call(arguments,2):n),y(e,o,r,i,null)}function y(n,r,i,a,o){var s={type:n,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:u,__v:o||++t,__i:-1,__u:0};return!o&&e.vnode&&e.vnode(s),s}function b(e){return e.children}function x(e,t){this.props=e,this.context=t,this.__g=0}function S(e,t){if(t==null)return e.__&&S(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:S(e)}function C(t){var n,r=t.__v,i=r.__e,a=[],o=[],s=t.__P;s&&((n=g({constructor:u},r)).__v=r.__v+1,e.vnode&&e.vnode(n),oe(s,n,r,t.__n,s.namespaceURI,32&r.__u?[i]:null,a,i||S(r),32&r.__u,o),n.__v=r.__v,n.__.__k[n.__i]=n,le(a,n,o),r.__=r.__e=null,n.__e!=i&&w(n))}function w(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),w(e)}function T(t){(8&t.__g||(t.__g|=8,n.push(t),i++))&&r==e.debounceRendering||((r=e.debounceRendering)||queueMicrotask)(E)}function E(){try{for(var e,t=1;n.length;)n.length>t&&n.sort(a),e=n.shift(),t=n.length,8&e.__g&&C(e)}finally{(i=n.length)&&(r||queueMicrotask)(E)}}function ee(e,t,n,r,i,a,o,s,c,l,u){var p,m,h,g,_,v,y=r.__k||f,b=t.length;for(c=D(n,t,y,c,b),p=0;p<b;p++)(h=n.__k[p])!=null&&(m=~h.__i&&y[h.__i]||d,h.__i=p,v=oe(e,h,m,i,a,o,s,c,l,u),g=h.__e,(m.ref!=h.ref||8&m.__u)&&(m.ref&&de(m.ref,null,h,m),h.ref&&u.push(h.ref,h.__c||g,h)),_||=g,4&h.__u?(c=te(h,c,e,!m.__v),m.__e&&(m.__e=null)):typeof h.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),h.__u&=-21);return n.__e=_,c}function D(e,t,n,r,i){var a,o,s,c,l,d,f,p,h,g=n.length,_=g,v=0,x=0,C=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=C[a]=y(null,o):m(o)?o=C[a]=y(b,{children:o}):o.constructor===u&&o.__b?o=C[a]=y(o.type,o.props,o.key,o.ref,o.__v):C[a]=o,c=a+v,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=ne(o,n,c,_))&&(_--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?v--:l==c+1?v++:l!=c&&(l>c?v--:v++,x=1)):(~l||(i>g?v--:i<g&&v++),typeof o.type!=`function`&&(o.__u|=4))):C[a]=null;if(x){for(d=[],f=[],a=0;a<i;a++)if((o=C[a])&&16&o.__u){for(v=0,p=d.length;v<p;)d[h=v+p>>1]<o.__i?v=h+1:p=h;d[v]=o.__i,f[a]=v+1}for(v=d.length;a--;)f[a]&&(f[a]==v?v--:C[a].__u|=4)}if(_)for(a=0;a<g;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=S(s)),fe(s,s));return r}function te(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=te(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=S(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t&&=t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function ne(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function re(e,t,n){n??=``,t[0]==`-`?e.setProperty(t,n):e[t]=n}function ie(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||re(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||re(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||={})[t]=n,n&&r||(o=l[t]||(l[t]=ae(t)),(e.__a||={})[t]=c,a=t!=(t=t.replace(s,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function ae(t){return function(n){var r=this.__e;if(r){if(r=r[t],n[o]==null)n[o]=c++;else if(n[o]<this.__a[t])return;return r(e.event?e.event(n):n)}}}function oe(t,n,r,i,a,o,s,c,l,d){var p,h,v,y,C,w,T,E,D,te,ne,re,ie,ae,oe,le,de,me,he=n.type;if(n.constructor!==u)return null;128&r.__u&&(l=32&r.__u,p=r.__c.__z)&&(n.__u|=l,h=o=[],p.nodeType==8?c=se(p,o):o.push(p),c=o[0]||c),(p=e.__b)&&p(n);e:if(typeof he==`function`){v=s.length;try{if(E=n.props,D=(p=he.prototype)&&p.render,te=(p=he.contextType)&&i[p.__c],ne=p?te?te.props.value:p.__:i,(y=r.__c)?(n.__c=y,2&y.__g&&(y.__g|=1)):(D?n.__c=y=new he(E,ne):(n.__c=y=new x(E,ne),y.constructor=he,y.render=pe),te&&te.sub(y),y.state||(y.state={}),y.__n=i,y.__g|=8,y.__h=[],y.__k=[]),D&&(y.__s||(y.__s=y.state),he.getDerivedStateFromProps&&(y.__s==y.state&&(y.__s=g({},y.__s)),g(y.__s,he.getDerivedStateFromProps(E,y.__s)))),C=y.props,w=y.state,y.__v=n,r.__c){if(E!==C&&D&&!he.getDerivedStateFromProps&&y.componentWillReceiveProps&&y.componentWillReceiveProps(E,ne),n.__v==r.__v&&!(8&y.__g)||!(4&y.__g)&&y.shouldComponentUpdate&&!1===y.shouldComponentUpdate(E,y.__s,ne)){n.__v!=r.__v&&(y.props=E,y.state=y.__s,y.__g&=-9),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),f.push.apply(y.__h,y.__k),y.__k=[],y.__h.length&&s.push(y),c=S(r);break e}y.componentWillUpdate&&y.componentWillUpdate(E,y.__s,ne),D&&y.componentDidUpdate&&y.__h.push(function(){y.componentDidUpdate(C,w,T)})}else D&&!he.getDerivedStateFromProps&&y.componentWillMount&&y.componentWillMount(),D&&y.componentDidMount&&y.__h.push(y.componentDidMount);y.context=ne,y.props=E,y.__P=t,y.__g&=-5,re=e.__r,ie=D?25:0;do y.__g&=-9,re&&re(n),p=y.render(y.props,y.state=y.__s,y.context);while(8&y.__g&&++ie<25);D&&(f.push.apply(y.__h,y.__k),y.__k=[]),y.state=y.__s,y.getChildContext&&(i=g({},i,y.getChildContext())),D&&r.__c&&y.getSnapshotBeforeUpdate&&(T=y.getSnapshotBeforeUpdate(C,w)),ae=p&&p.type===b&&p.key==null?p.props.children:p,E.__P&&(p=c,a=(t=E.__P).namespaceURI,l=o=null,r.props&&r.props.__P!=t&&(r.__k.some(function(e){e&&fe(e,e)}),r.__k=null),c=r.__k?S(r,0):null),c=ee(t,m(ae)?ae:[ae],n,r,i,a,o,s,c,l,d),E.__P&&(n.__e=null,c=p),n.__u&=-161,h&&h.some(_),y.__h.length&&s.push(y),1&y.__g&&(y.__g&=-4)}catch(t){if(s.length=v,n.__v=null,l||o){if(t&&t.then){if(n.__u|=128|l,o){for(~(de=o.indexOf(c||void 0))||(de=o.length);(me=o[de-1])&&me.nodeType==8;)de--;for(;de<o.length;de++)if(me=o[de]){if(o[de]=null,oe){if(me==le)break}else{if(me.nodeType!=8)break;me.data.startsWith(`$s`)&&(le=se(oe=me))}}}if(!oe){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;oe=c}(p=se(oe=n.__c.__z||(n.__c.__z=oe)))?(n.__e=oe,c=p):n.__e=c,c&&=c.nextSibling}else o&&o.some(_)}else n.__e=r.__e;n.__k||=r.__k||[],t&&t.then||ce(n),e.__e(t,n,r)}}else c=n.__e=ue(r.__e,n,r,i,a,o,s,l,d,t);return(p=e.diffed)&&p(n),c}function se(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function ce(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(ce))}function le(t,n,r){for(var i=0;i<r.length;)de(r[i++],r[i++],r[i++]);e.__c&&e.__c(n,t),t.some(function(n){try{t=n.__h,n.__h=[],t.some(function(e){e.call(n)})}catch(t){e.__e(t,n.__v)}})}function ue(t,n,r,i,a,o,s,c,l,u){var f,g,v,y,b,x,C,w,T=r.props||d,E=n.props,D=n.type;if(D==`svg`?a=`http://www.w3.org/2000/svg`:D==`math`?a=`http://www.w3.org/1998/Math/MathML`:a||=`http://www.w3.org/1999/xhtml`,o){for(f=0;f<o.length;f++)if((b=o[f])&&(D?b.localName==D:b.nodeType==3)){t=b,o[f]=null;break}}if(!t){if(w=u.ownerDocument||document,!D)return w.createTextNode(E);t=w.createElementNS(a,D,E.is?E:u),c&&=(e.__m&&e.__m(n,o),!1),o=null}if(D){if(u=D==`template`&&t.content||t,o=D==`textarea`&&E.defaultValue!=null?null:o&&h.call(u.childNodes),!c&&o)for(T={},f=0;f<t.attributes.length;f++)T[(b=t.attributes[f]).name]=b.value;for(f in T)b=T[f],f==`dangerouslySetInnerHTML`?v=b:f==`children`||f in E||f==`value`&&`defaultValue`in E||f==`checked`&&`defaultChecked`in E||ie(t,f,null,b,a);for(f in E)b=E[f],f==`children`?y=b:f==`dangerouslySetInnerHTML`?g=b:f==`value`?x=b:f==`checked`?C=b:c&&typeof b!=`function`||T[f]===b||ie(t,f,b,T[f],a);g?(c||v&&(g.__html==v.__html||g.__html==t.innerHTML)||(t.innerHTML=g.__html),n.__k=[]):(v&&(t.textContent=``),(D==`foreignObject`||a==`http://www.w3.org/1998/Math/MathML`&&p.test(D))&&(a=`http://www.w3.org/1999/xhtml`),ee(u,m(y)?y:[y],n,r,i,a,o,s,o?o[0]:r.__k&&S(r,0),c,l),o&&o.some(_)),c&&D!=`textarea`||(f=`value`,D==`progress`&&x==null?t.removeAttribute(f):x==null||x===t[f]&&(D!=`progress`||x)||ie(t,f,x,T[f],a),f=`checked`,C!=null&&C!=t[f]&&ie(t,f,C,T[f],a))}else T===E||c&&t.data==E||(t.data=E);return t}function de(t,n,r,i){try{typeof t==`function`?n?n.__x=t(n)||1:(i&&=i.__c||i.__e)&&(n=i.__x)&&(i.__x=null,typeof n==`function`?n():t(null)):t.current=n}catch(t){e.__e(t,r)}}function fe(t,n,r){var i,a,o,s;if(e.unmount&&e.unmount(t),!(i=t.ref)||i.current&&i.current!=t.__e||de(i,null,n,t),i=t.__c){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(t){e.__e(t,n)}i.__P=i.__n=null}if(i=t.__k)for(s=0;s<i.length;s++)i[s]&&fe(i[s],n,typeof t.type!=`function`||r&&!t.props.__P);!r&&(i=t.__c)&&(i=i.__z)&&(a=se(i,o=[]))&&(i==t.__e&&o.some(_),_(a),_(i)),r||_(t.__e),t.__e=t.__c=t.__=null}function pe(e,t,n){return this.constructor(e,n)}function me(t,n){var r,i,a,o;e.__&&e.__(t,n),n.nodeType==9&&(n=n.documentElement),i=(r=t&&32&t.__u)?null:n.__k,n.__k=y(b,{children:[t]}),a=[],o=[],oe(n,n.__k,i||d,d,n.namespaceURI,i?null:n.firstChild?h.call(n.childNodes):null,a,i?i.__e:n.firstChild,r,o),le(a,n.__k,o),n.__k.props.children=null}e={__e:function(e,t,n,r){for(var a,o,s;t=t.__;)if((a=t.__c)&&!(1&a.__g)){a.__g|=4;try{if((s=(o=a.constructor)&&o.getDerivedStateFromError)&&a.setState(o.getDerivedStateFromError(e)),a.componentDidCatch&&(a.componentDidCatch(e,r||{}),s=1),s&&8&a.__g)return void(a.__g|=2)}catch(t){e=t}}throw i=0,e}},t=0,x.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=g({},this.state)),typeof e==`function`&&(e=e(g({},n),this.props)),e&&(g(n,e),this.__v&&(t&&this.__k.push(t),T(this)))},x.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),T(this))},x.prototype.render=b,n=[],i=0,a=function(e,t){return e.__v.__b-t.__v.__b},o=Symbol(),s=/(PointerCapture)$|Capture$/i,c=0,l={};var he=function(e,t,n,r){var i;t[0]=0;for(var a=1;a<t.length;a++){var o=t[a++],s=t[a]?(t[0]|=o?1:2,n[t[a++]]):t[++a];o===3?r[0]=s:o===4?r[1]=Object.assign(r[1]||{},s):o===5?(r[1]=r[1]||{})[t[++a]]=s:o===6?r[1][t[++a]]+=s+``:o?(i=e.apply(s,he(e,s,n,[``,null])),r.push(i),s[0]?t[0]|=2:(t[a-2]=0,t[a]=i)):r.push(s)}return r},ge=new Map;function _e(e){var t=ge.get(this);return t||(t=new Map,ge.set(this,t)),(t=he(this,t.get(e)||(t.set(e,t=function(e){for(var t,n,r=1,i=``,a=``,o=[0],s=function(e){r===1&&(e||(i=i.replace(/^\s*\n\s*|\s*\n\s*$/g,``)))?o.push(0,e,i):r===3&&(e||i)?(o.push(3,e,i),r=2):r===2&&i===`...`&&e?o.push(4,e,0):r===2&&i&&!e?o.push(5,0,!0,i):r>=5&&((i||!e&&r===5)&&(o.push(r,0,i,n),r=6),e&&(o.push(r,e,0,n),r=6)),i=``},c=0;c<e.length;c++){c&&(r===1&&s(),s(c));for(var l=0;l<e[c].length;l++)t=e[c][l],r===1?t===`<`?(s(),o=[o],r=3):i+=t:r===4?i===`--`&&t===`>`?(r=1,i=``):i=t+i[0]:a?t===a?a=``:i+=t:t===`"`||t===`'`?a=t:t===`>`?(s(),r=1):r&&(t===`=`?(r=5,n=i,i=``):t===`/`&&(r<5||e[c][l+1]===`>`)?(s(),r===3&&(o=o[0]),r=o,(o=o[0]).push(2,0,r),r=0):t===` `||t===`	`||t===`
`||t===`\r`?(s(),r=2):i+=t),r===3&&i===`!--`&&(r=4,o=o[0])}return s(),o}(e)),t),arguments,[])).length>1?t:t[0]}var O=_e.bind(v),ve,k,ye,be,xe=Object.is,Se=0,Ce=[],we=[],A=e,Te=A.__b,Ee=A.__r,De=A.diffed,Oe=A.__c,ke=A.unmount,Ae=A.__;function je(e,t){A.__h&&A.__h(k,e,Se||t),Se=0;var n=k.__H||(k.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function j(e){return Se=1,Me(Ue,e)}function Me(e,t,n){var r=je(ve++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Ue(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);xe(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=k,!k.__f)){k.__f=!0;var i=k.shouldComponentUpdate;k.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,xe(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function M(e,t){var n=je(ve++,3);!A.__s&&He(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,k.__H.__h.push(n))}function Ne(e){return Se=5,Pe(function(){return{current:e}},[])}function Pe(e,t){var n=je(ve++,7);return He(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function Fe(e,t){return Se=8,Pe(function(){return e},t)}function Ie(){var e;do{for(;e=we.shift();)try{Be(e)}catch(t){A.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=Ce.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(Be),t.__h.some(Ve),t.__h=[]}catch(n){t.__h=[],A.__e(n,e.__v)}}}while(we.length)}A.__b=function(e){k=null,Te&&Te(e)},A.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),Ae&&Ae(e,t)},A.__r=function(e){Ee&&Ee(e),ve=0;var t=(k=e.__c).__H;t&&(ye==k?k.__h=[]:(t.__h.some(Be),t.__h.some(Ve),ve=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),ye=k},A.diffed=function(e){De&&De(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&ze(Ce.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),ye=k=null},A.__c=function(e,t){t.some(function(e){try{e.__h.some(Be),e.__h=e.__h.filter(function(e){return!e.__||Ve(e)})}catch(t){e.__h=[function(){throw t}]}}),Oe&&Oe(e,t)},A.unmount=function(e){ke&&ke(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n&&=n.__c}r.__P=n,ze(we.push(r))}else Be(r)}catch(e){t=e}}),r.__H=void 0,t&&A.__e(t,r.__v))};var Le=typeof requestAnimationFrame==`function`;function Re(e){var t,n=function(){clearTimeout(r),Le&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);Le&&(t=requestAnimationFrame(n))}function ze(e){e!=1&&be==A.requestAnimationFrame||((be=A.requestAnimationFrame)||Re)(Ie)}function Be(e){var t=k,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),k=t}function Ve(e){var t=k;e.__c=e.__(),k=t}function He(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!xe(t,e[n])})}function Ue(e,t){return typeof t==`function`?t(e):t}var We=`pgw.console.credential`,Ge=`pgw.console.oidc`,Ke=Je(),qe=new Set;function Je(){try{let e=JSON.parse(sessionStorage.getItem(We)||`null`);if(e&&typeof e.value==`string`)return e.expiresAt&&Date.now()>=e.expiresAt?null:e}catch{}return null}function Ye(){return Ke}function Xe(e){return qe.add(e),()=>qe.delete(e)}function Ze(e){Ke=e;try{e?sessionStorage.setItem(We,JSON.stringify(e)):sessionStorage.removeItem(We)}catch{}for(let t of qe)t(e)}function Qe(){return Ke?{authorization:`Bearer ${Ke.value}`}:{}}async function $e(){let e=await fetch(new URL(`config.json`,document.baseURI),{headers:{accept:`application/json`}});if(!e.ok)throw Error(`config.json: HTTP ${e.status}`);return e.json()}function et(e){let t=``;for(let n of new Uint8Array(e))t+=String.fromCharCode(n);return btoa(t).replace(/\+/g,`-`).replace(/\//g,`_`).replace(/=+$/,``)}function tt(e=32){return et(crypto.getRandomValues(new Uint8Array(e)))}async function nt(e){let t=`${e.replace(/\/+$/,``)}/.well-known/openid-configuration`,n=await fetch(t,{headers:{accept:`application/json`}});if(!n.ok)throw Error(`OIDC discovery: HTTP ${n.status}`);let r=await n.json();if(r.issuer&&r.issuer.replace(/\/+$/,``)!==e.replace(/\/+$/,``))throw Error(`OIDC discovery: the document names another issuer`);if(!r.authorization_endpoint||!r.token_endpoint)throw Error(`OIDC discovery: endpoints missing`);return r}function rt(){let e=new URL(location.href);return`${e.origin}${e.pathname}`}async function it(e,t){let n=await nt(e.issuer),r=tt(48),i=tt(24),a=et(await crypto.subtle.digest(`SHA-256`,new TextEncoder().encode(r)));sessionStorage.setItem(Ge,JSON.stringify({state:i,verifier:r,returnTo:t,issuer:e.issuer,tokenEndpoint:n.token_endpoint}));let o=new URL(n.authorization_endpoint);o.search=new URLSearchParams({response_type:`code`,client_id:e.clientId,redirect_uri:rt(),scope:(e.scopes||[`openid`]).join(` `),state:i,code_challenge:a,code_challenge_method:`S256`}).toString(),location.assign(o.toString())}async function at(e){let t=new URLSearchParams(location.search);if(!t.has(`code`)&&!t.has(`error`))return null;let n=JSON.parse(sessionStorage.getItem(Ge)||`null`);if(sessionStorage.removeItem(Ge),history.replaceState(null,``,`${rt()}${n?.returnTo||``}`),t.has(`error`))throw Error(`${t.get(`error`)}: ${t.get(`error_description`)||``}`.trim());if(!n||!e||t.get(`state`)!==n.state)throw Error(`state mismatch: sign in again`);let r=await fetch(n.tokenEndpoint,{method:`POST`,headers:{"content-type":`application/x-www-form-urlencoded`,accept:`application/json`},body:new URLSearchParams({grant_type:`authorization_code`,code:t.get(`code`),redirect_uri:rt(),client_id:e.clientId,code_verifier:n.verifier})}),i=await r.json().catch(()=>({}));if(!r.ok||!i.access_token)throw Error(`token endpoint: ${i.error||`HTTP ${r.status}`}`);let a=i.expires_in?Date.now()+Number(i.expires_in)*1e3:null;return Ze({kind:`oidc`,value:i.access_token,expiresAt:a}),{returnTo:n.returnTo}}function N(e){return e===null?`null`:Array.isArray(e)?`array`:typeof e}function ot(e){return N(e)===`object`}function st(e){return Array.isArray(e)&&e.length>0&&e.every(e=>`message`in e)}function ct(e,t){return e.length<124?e:t}var P=(e=>(e[e.InternalServerError=4500]=`InternalServerError`,e[e.InternalClientError=4005]=`InternalClientError`,e[e.BadRequest=4400]=`BadRequest`,e[e.BadResponse=4004]=`BadResponse`,e[e.Unauthorized=4401]=`Unauthorized`,e[e.Forbidden=4403]=`Forbidden`,e[e.SubprotocolNotAcceptable=4406]=`SubprotocolNotAcceptable`,e[e.ConnectionInitialisationTimeout=4408]=`ConnectionInitialisationTimeout`,e[e.ConnectionAcknowledgementTimeout=4504]=`ConnectionAcknowledgementTimeout`,e[e.SubscriberAlreadyExists=4409]=`SubscriberAlreadyExists`,e[e.TooManyInitialisationRequests=4429]=`TooManyInitialisationRequests`,e))(P||{}),F=(e=>(e.ConnectionInit=`connection_init`,e.ConnectionAck=`connection_ack`,e.Ping=`ping`,e.Pong=`pong`,e.Subscribe=`subscribe`,e.Next=`next`,e.Error=`error`,e.Complete=`complete`,e))(F||{});function lt(e){if(!ot(e))throw Error(`Message is expected to be an object, but got ${N(e)}`);if(!e.type)throw Error(`Message is missing the 'type' property`);if(typeof e.type!=`string`)throw Error(`Message is expects the 'type' property to be a string, but got ${N(e.type)}`);switch(e.type){case`connection_init`:case`connection_ack`:case`ping`:case`pong`:if(e.payload!=null&&!ot(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${e.payload}"`);break;case`subscribe`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${N(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!ot(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${N(e.payload)}`);if(typeof e.payload.query!=`string`)throw Error(`"${e.type}" message payload expects the 'query' property to be a string, but got ${N(e.payload.query)}`);if(e.payload.variables!=null&&!ot(e.payload.variables))throw Error(`"${e.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${N(e.payload.variables)}`);if(e.payload.operationName!=null&&N(e.payload.operationName)!==`string`)throw Error(`"${e.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${N(e.payload.operationName)}`);if(e.payload.extensions!=null&&!ot(e.payload.extensions))throw Error(`"${e.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${N(e.payload.extensions)}`);break;case`next`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${N(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!ot(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${N(e.payload)}`);break;case`error`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${N(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!st(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(e.payload)}`);break;case`complete`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${N(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);break;default:throw Error(`Invalid message 'type' property "${e.type}"`)}return e}function ut(e,t){return lt(typeof e==`string`?JSON.parse(e,t):e)}function dt(e,t){return lt(e),JSON.stringify(e,t)}function ft(e){let{url:t,connectionParams:n,lazy:r=!0,onNonLazyError:i=console.error,lazyCloseTimeout:a=0,keepAlive:o=0,disablePong:s,connectionAckWaitTimeout:c=0,retryAttempts:l=5,retryWait:u=async function(e){let t=2**e;await new Promise(e=>setTimeout(e,t*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:d=mt,on:f,webSocketImpl:p,generateID:m=function(){return`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.replace(/[xy]/g,e=>{let t=Math.random()*16|0;return(e==`x`?t:t&3|8).toString(16)})},jsonMessageReplacer:h,jsonMessageReviver:g}=e,_;if(p){if(!gt(p))throw Error(`Invalid WebSocket implementation provided`);_=p}else typeof WebSocket<`u`?_=WebSocket:typeof global<`u`?_=global.WebSocket||global.MozWebSocket:typeof window<`u`&&(_=window.WebSocket||window.MozWebSocket);if(!_)throw Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let v=_,y=(()=>{let e=(()=>{let e={};return{on(t,n){return e[t]=n,()=>{delete e[t]}},emit(t){`id`in t&&e[t.id]?.(t)}}})(),t={connecting:f?.connecting?[f.connecting]:[],opened:f?.opened?[f.opened]:[],connected:f?.connected?[f.connected]:[],ping:f?.ping?[f.ping]:[],pong:f?.pong?[f.pong]:[],message:f?.message?[e.emit,f.message]:[e.emit],closed:f?.closed?[f.closed]:[],error:f?.error?[f.error]:[]};return{onMessage:e.on,on(e,n){let r=t[e];return r.push(n),()=>{let e=r.indexOf(n);e>-1&&r.splice(e,1)}},emit(e,...n){for(let r of[...t[e]])r(...n)}}})();function b(e){let t=[y.on(`error`,n=>{t.forEach(e=>e()),e(n)}),y.on(`closed`,n=>{t.forEach(e=>e()),e(n)})];return()=>t.forEach(e=>e())}let x,S=0,C,w=!1,T=0,E=!1;async function ee(){clearTimeout(C);let[e,r]=await(x??=new Promise((e,r)=>(async()=>{if(w){if(await u(T),!S)return x=void 0,r({code:1e3,reason:`All Subscriptions Gone`});T++}y.emit(`connecting`,w);let i=new v(typeof t==`function`?await t():t,`graphql-transport-ws`),a,l;function d(){isFinite(o)&&o>0&&(clearTimeout(l),l=setTimeout(()=>{i.readyState===v.OPEN&&(i.send(dt({type:F.Ping})),y.emit(`ping`,!1,void 0))},o))}b(e=>{x=void 0,clearTimeout(a),clearTimeout(l),r(e),e instanceof pt&&(i.close(4499,`Terminated`),i.onerror=null,i.onclose=null)}),i.onerror=e=>y.emit(`error`,e),i.onclose=e=>y.emit(`closed`,e),i.onopen=async()=>{try{y.emit(`opened`,i);let e=typeof n==`function`?await n():n;if(i.readyState!==v.OPEN)return;i.send(dt(e?{type:F.ConnectionInit,payload:e}:{type:F.ConnectionInit},h)),isFinite(c)&&c>0&&(a=setTimeout(()=>{i.close(P.ConnectionAcknowledgementTimeout,`Connection acknowledgement timeout`)},c)),d()}catch(e){y.emit(`error`,e),i.close(P.InternalClientError,ct(e instanceof Error?e.message:String(e),`Internal client error`))}};let f=!1;i.onmessage=({data:t})=>{try{let n=ut(t,g);if(y.emit(`message`,n),n.type===`ping`||n.type===`pong`){y.emit(n.type,!0,n.payload),n.type===`pong`?d():s||(i.send(dt(n.payload?{type:F.Pong,payload:n.payload}:{type:F.Pong},h)),y.emit(`pong`,!1,n.payload));return}if(f)return;if(n.type!==F.ConnectionAck)throw Error(`First message cannot be of type ${n.type}`);clearTimeout(a),f=!0,y.emit(`connected`,i,n.payload,w),w=!1,T=0;let r=new Promise((e,t)=>b(t));r.catch(()=>{}),e([i,r])}catch(e){i.onmessage=null,y.emit(`error`,e),i.close(P.BadResponse,ct(e instanceof Error?e.message:String(e),`Bad response`))}}})()));e.readyState===v.CLOSING&&await r;let i=()=>{},l=new Promise(e=>i=e);return[e,i,new Promise((t,n)=>{let i=b(n);e.readyState!==v.OPEN&&r.catch(n),l.then(()=>{if(i(),!S){let t=()=>e.close(1e3,`Normal Closure`);isFinite(a)&&a>0?(clearTimeout(C),C=setTimeout(()=>{!S&&e.readyState===v.OPEN&&t()},a)):t()}t()})})]}function D(e){if(mt(e)&&(ht(e.code)||[P.InternalServerError,P.InternalClientError,P.BadRequest,P.BadResponse,P.Unauthorized,P.SubprotocolNotAcceptable,P.SubscriberAlreadyExists,P.TooManyInitialisationRequests].includes(e.code)))throw e;if(E)return!1;if(mt(e)&&e.code===1e3)return S>0;if(!l||T>=l||!d(e))throw e;return w=!0}r||(async()=>{for(S++;;)try{let[,,e]=await ee();await e}catch(e){try{if(!D(e))return}catch(e){return i?.(e)}}})();function te(e,t){let n=m(e),r=!1,i=!1,a=()=>{S--,r=!0};return(async()=>{for(S++;;)try{let[o,s,c]=await ee();if(r)return c.catch(()=>{}),s();let l=y.onMessage(n,e=>{switch(e.type){case F.Next:t.next(e.payload);return;case F.Error:i=!0,r=!0,t.error(e.payload),a();return;case F.Complete:r=!0,a();return}});o.send(dt({id:n,type:F.Subscribe,payload:e},h)),a=()=>{!r&&o.readyState===v.OPEN&&o.send(dt({id:n,type:F.Complete},h)),S--,r=!0,s()},await c.finally(l);return}catch(e){if(!D(e))return}})().then(()=>{i||t.complete()}).catch(e=>{t.error(e)}),()=>{r||a()}}return{on:y.on,subscribe:te,iterate(e){let t=[],n={done:!1,error:null,resolve:()=>{}},r=te(e,{next(e){t.push(e),n.resolve()},error(e){n.done=!0,n.error=e,n.resolve()},complete(){n.done=!0,n.resolve()}}),i=async function*(){for(;;){for(t.length||await new Promise(e=>n.resolve=e);t.length;)yield t.shift();if(n.error)throw n.error;if(n.done)return}}();return i.throw=async e=>(n.done||(n.done=!0,n.error=e,n.resolve()),{done:!0,value:void 0}),i.return=async()=>(r(),{done:!0,value:void 0}),i},async dispose(){if(E=!0,x){let[e]=await x;e.close(1e3,`Normal Closure`)}},terminate(){x&&y.emit(`closed`,new pt)}}}var pt=class extends Error{name=`TerminatedCloseEvent`;message=`4499: Terminated`;code=4499;reason=`Terminated`;wasClean=!1};function mt(e){return ot(e)&&`code`in e&&`reason`in e}function ht(e){return![1e3,1001,1006,1005,1012,1013,1014].includes(e)&&e>=1e3&&e<=1999}function gt(e){return typeof e==`function`&&`constructor`in e&&`CLOSED`in e&&`CLOSING`in e&&`CONNECTING`in e&&`OPEN`in e}var _t=new URL(`../graphql`,document.baseURI).toString(),vt=class extends Error{constructor(e,{status:t,code:n,lost:r}={}){super(e),this.status=t,this.code=n,this.lost=!!r}},yt=()=>{};function bt(e){yt=e}async function xt(e,t={}){let n;try{n=await fetch(_t,{method:`POST`,headers:{"content-type":`application/json`,accept:`application/json`,...Qe()},body:JSON.stringify({query:e,variables:t})})}catch(e){throw new vt(e.message||`network error`,{lost:!0})}let r=null;try{r=await n.json()}catch{}let i=r?.errors?.[0]?.extensions?.code;if(n.status===401)throw Ze(null),yt(r?.errors?.[0]?.message),new vt(r?.errors?.[0]?.message||`unauthenticated`,{status:401,code:i});if(!r||r.data===void 0&&!r.errors)throw new vt(`HTTP ${n.status}`,{status:n.status,lost:n.status>=500});if(r.data==null&&r.errors?.length&&n.status>=400)throw new vt(r.errors[0].message,{status:n.status,code:i});return r}var St=null;function Ct(){let e=new URL(_t);return e.protocol=e.protocol===`https:`?`wss:`:`ws:`,e.toString()}function wt(){return St||(St=ft({url:Ct(),lazy:!0,retryAttempts:1/0,shouldRetry:e=>!(e&&typeof e.code==`number`&&e.code>=4400&&e.code<4500),connectionParams:()=>{let e=Ye();return e?{Authorization:`Bearer ${e.value}`}:{}}}),Xe(()=>{St?.dispose(),St=null})),St}var Tt={"lang.name":`中文`,"lang.switchTo":`切换到中文`,"app.title":`合作伙伴控制台`,"app.skip":`跳到正文`,"nav.label":`主导航`,"nav.overview":`概览`,"nav.customers":`客户`,"nav.customer":`客户详情`,"nav.invite":`邀请或创建客户`,"nav.resellers":`二级经销商`,"nav.projects":`项目报备`,"nav.notifications":`通知`,"nav.audit":`审计日志`,"role.ADMIN":`管理员`,"role.FINANCE":`财务`,"role.SALES":`销售`,"signin.intro":`登录以管理阿里云和华为云上的客户。`,"signin.withIssuer":`使用 {issuer} 登录`,"signin.or":`或（开发用）`,"signin.apiKey":`API 密钥或令牌`,"signin.apiKeyHint":`仅保存在本标签页中，退出或关闭标签页即清除。`,"signin.keyMissing":`请输入 API 密钥或令牌。`,"signin.submit":`登录`,"signin.out":`退出`,"signin.expired":`登录已失效，请重新登录。`,"signin.oidcFailed":`通过身份提供方登录失败`,"signin.checking":`正在确认身份…`,"signin.open":`开放模式`,"signin.openHint":`未配置 API 密钥或身份提供方：每个请求都以管理员身份执行（仅限本机）。`,"common.loading":`加载中…`,"common.none":`暂无内容。`,"common.all":`全部`,"common.yes":`是`,"common.no":`否`,"common.prev":`上一页`,"common.next":`下一页`,"common.page":`第 {n} 页`,"common.pageSize":`每页`,"common.soon":`此页面正在建设中。`,"common.reload":`刷新`,"common.cancel":`取消`,"common.close":`关闭`,"common.submit":`提交`,"common.save":`保存`,"common.amount":`金额`,"common.currency":`币种`,"common.partner":`合作伙伴账号`,"common.at":`时间`,"common.status":`状态`,"common.showTable":`以表格显示`,"common.month":`月份`,"common.source":`来源`,"common.name":`名称`,"errors.title":`出错了`,"provider.aliyun":`阿里云`,"provider.huaweicloud":`华为云`,"status.ASSOCIATED":`已关联`,"status.INVITED":`已邀请`,"status.INVITATION_EXPIRED":`邀请已过期`,"status.FROZEN":`已冻结`,"status.UNKNOWN":`未知`,"accountType.AGENCY":`代理`,"accountType.CONSIGNMENT":`代销`,"accountType.ADVISORY":`顾问销售`,"accountType.RESALE":`代售`,"accountType.UNKNOWN":`未知`,"customers.invite":`邀请或创建`,"customers.filters":`筛选客户`,"customers.search":`搜索`,"customers.searchHint":`名称、ID 或邮箱`,"customers.provider":`云厂商`,"customers.status":`状态`,"customers.accountType":`账号类型`,"customers.owner":`负责人`,"customers.name":`客户`,"customers.realName":`实名认证`,"customers.funds":`余额或信用额度`,"customers.creditOf":`信用额度 {line}`,"customers.total":`共 {n} 个客户`,"customers.noneFound":`没有符合条件的客户。`,"customers.expires":`{at} 过期`,"live.idle":`未连接`,"live.connecting":`连接中…`,"live.live":`实时`,"live.reconnecting":`重新连接中…`,"live.error":`已停止`,"live.closed":`已关闭`,"notifications.intro":`网关在两朵云上发现的变化，以及网关自身做出的变化：先列出最近的，新的变化实时出现。`,"notifications.introLive":`您的客户在两朵云上的变化，实时显示（自登录起）。`,"notifications.none":`暂无变化，新的变化会实时出现在这里。`,"notifications.unread":`{n} 条未读`,"event.customer.created":`客户已创建`,"event.customer.invitation_accepted":`邀请已接受`,"event.customer.invitation_expired":`邀请已过期`,"event.customer.frozen":`客户已冻结`,"event.customer.unfrozen":`客户已解冻`,"event.customer.balance_low":`余额不足`,"event.voucher.issued":`代金券已发放`,"event.voucher.expiring":`代金券即将过期`,"event.reseller.funds_changed":`经销商资金变动`,"event.consumption.month_closed":`账期已关闭`,"event.project.stage_changed":`项目阶段变更`,"event.project.approved":`项目已审批`,"event.project.confirmed":`项目已确认`,"event.operation.settled":`操作已确定结果`,"form.required":`请填写{field}。`,"form.amount":`{field}：请输入金额，如 100 或 100.50。`,"form.choose":`请选择…`,"form.optional":`可选`,"outcome.sending":`正在提交…`,"outcome.settled":`已完成`,"outcome.pending":`结果待定`,"outcome.failed":`未执行`,"outcome.applied":`云厂商已执行此操作。`,"outcome.reconciled":`应答丢失；云厂商自己的记录显示操作已执行（仅一次）。`,"outcome.replayed":`此幂等键此前已提交：这是第一次的结果，没有重复执行。`,"outcome.pendingDetail":`云厂商尚未确认是否执行了此操作，系统不做猜测：请几秒后用同一幂等键再次查询。`,"outcome.noReply":`未收到应答：请求可能已执行，也可能未执行。请用同一幂等键再次查询，不会重复执行。`,"outcome.retryable":`未执行任何操作；用同一幂等键重试是安全的。`,"outcome.refused":`已拒绝：未执行任何操作。`,"outcome.key":`幂等键`,"outcome.attempts":`已尝试 {n} 次`,"outcome.checkAgain":`再次查询`,"outcome.retrySameKey":`用同一幂等键重试`,"outcome.operation":`操作`,"charts.empty":`该时间段没有数据。`,"charts.summary":`{first} 至 {last}，共 {n} 期`,"customer.notFound":`客户不存在，或您无权查看。`,"customer.facts":`客户信息`,"customer.nativeId":`云上 ID`,"customer.kind":`类型`,"customer.associatedAt":`关联时间`,"customer.invitationExpires":`邀请过期时间`,"customer.email":`邮箱`,"customer.phone":`手机号`,"customer.newTag":`新客户标签`,"customer.funds":`资金`,"customer.balance":`余额`,"customer.availableCredit":`可用额度`,"customer.creditLine":`信用额度`,"customer.debt":`欠款`,"customer.controls":`信用管控`,"customer.warningThreshold":`预警阈值`,"customer.newPurchases":`新购`,"customer.banned":`已禁止`,"customer.allowed":`允许`,"customer.shutdownPolicy":`额度用尽时`,"customer.paygFrozen":`按量付费`,"customer.notFrozen":`未冻结`,"customer.noFunds":`云厂商未为该客户保留资金（顾问销售或代理客户直接向云厂商付款）。`,"customer.openActions":`等待结果的操作`,"customer.actions":`操作`,"customer.noMoney":`您的角色不能操作资金：划拨、信用额度和代金券由财务和管理员处理。`,"customer.resaleOnly":`仅代售客户可以划拨资金。`,"customer.consignmentOnly":`仅代销客户可以设置信用额度。`,"customer.noteContent":`跟进内容`,"customer.noteContact":`联系人（可选）`,"customer.consumption":`消费 {from} 至 {to}`,"customer.consumptionChart":`月度消费`,"customer.noConsumption":`该客户没有消费数据。`,"customer.orders":`订单（{n}）`,"customer.vouchers":`代金券（{n}）`,"customer.notes":`跟进记录（{n}）`,"customer.creditHistory":`信用记录`,"customer.unsupported":`该云厂商没有提供此接口。`,"action.transfer":`向客户划拨资金`,"action.transferIntro":`从合作伙伴账号余额划拨到客户账户（华为云代售）。`,"action.reclaim":`从客户回收资金`,"action.reclaimIntro":`从客户余额回收到合作伙伴账号。`,"action.creditLine":`设置信用额度`,"action.warningThreshold":`设置预警阈值`,"action.purchaseBan":`禁止或允许新购`,"action.shutdownPolicy":`设置额度用尽后的处理方式`,"action.freeze":`冻结按量付费`,"action.freezeIntro":`解冻前将阻止新的按量付费使用。`,"action.thaw":`解冻按量付费`,"action.thawIntro":`重新允许按量付费使用。`,"action.voucher":`发放代金券`,"action.resend":`重新发送邀请`,"action.resendIntro":`将通过邮件发送新的 72 小时注册链接。`,"action.note":`添加跟进记录`,"action.reclaimVoucher":`回收`,"action.reclaimVoucherOf":`回收代金券 {id}`,"actionButton.transfer":`划拨`,"actionButton.reclaim":`回收`,"actionButton.credit-line":`信用额度`,"actionButton.warning-threshold":`预警阈值`,"actionButton.purchase-ban":`新购管控`,"actionButton.shutdown-policy":`停机策略`,"actionButton.freeze":`冻结/解冻`,"actionButton.voucher":`发放代金券`,"actionButton.resend":`重新邀请`,"actionButton.note":`添加跟进`,"actionButton.allocate":`划拨资金`,"actionButton.reclaim-funds":`回收资金`,"actionButton.grant-quota":`分配代金券额度`,"voucher.id":`代金券`,"voucher.faceValue":`面额`,"voucher.remaining":`余额`,"voucher.validUntil":`有效期至`,"voucher.template":`代金券模板`,"voucher.quota":`代金券额度`,"order.product":`产品`,"order.type":`类型`,"order.amount":`应付金额`,"order.created":`创建时间`,"invite.none":`没有可以创建客户的合作伙伴账号。`,"invite.aliyunIntro":`阿里云：报备客户后，客户会通过邮件收到注册链接；链接 {hours} 小时后过期（可重新发送）。`,"invite.huaweiIntro":`华为云：立即创建客户账号。如填写手机号，需要输入发送到该手机的短信验证码。`,"invite.name":`客户名称`,"invite.accountName":`登录名`,"invite.accountNameHint":`新华为云账号的账号名。`,"invite.emailHint":`注册链接将发送到此邮箱。`,"invite.phoneHint":`可选；填写后需要短信验证码。`,"invite.phoneInvalid":`请输入手机号（数字，可带 +）。`,"invite.sendCode":`发送短信验证码`,"invite.code":`短信验证码`,"invite.codeHint":`手机收到的验证码。`,"invite.codeNeeded":`填写手机号后，请输入收到的短信验证码。`,"invite.ownerSelf":`客户将归属于您（{owner}）。`,"invite.invite":`发送邀请`,"invite.create":`创建客户`,"invite.sent":`邀请已发送。`,"invite.link":`注册链接`,"invite.expires":`{hours} 小时后过期：{at}`,"invite.expiresIn":`发送后 {hours} 小时过期。`,"invite.created":`客户已创建：{id}`,"invite.open":`查看客户`,"overview.range":`{from} 至 {to}`,"overview.loadingConsumption":`正在读取两朵云一年的消费数据…`,"overview.thisMonth":`本月至今（{month}）`,"overview.lastMonth":`上月（{month}）`,"overview.up":`上升`,"overview.down":`下降`,"overview.total":`合计`,"overview.sources":`华为云数据来自账单（BILL）；阿里云数据来自已支付订单（ORDERS），为估算值。两者从不相加。`,"overview.trend":`月度趋势`,"overview.topProducts":`消费最多的产品`,"overview.topCustomers":`消费最多的客户`,"overview.program":`合作伙伴计划进度`,"overview.performance":`财年 {start} 至 {through}`,"overview.tier":`返点档位 {tier}：{rate} %`,"overview.belowTiers":`低于最低返点档位`,"overview.toNextTier":`距下一档位的进度`,"overview.nextTier":`还差 {toGo} 可达 {rate} %（{at} 起）`,"overview.topTier":`已达最高档位。`,"overview.toLine":`距 {line} 门槛的进度`,"overview.lineReached":`已达 {line} 门槛：可申请升级为一级`,"overview.lineToGo":`距 {line} 门槛还差 {toGo}`,"overview.incentives":`享受激励`,"overview.noIncentives":`云厂商不直接给予激励（由其一级获得）`,"overview.tier2Line":`二级经销商与升级门槛`,"overview.noTier2":`没有需对照升级门槛的二级经销商。`,"overview.reached":`已达到`,"overview.toGo":`还差 {toGo}`,"overview.pending":`待定操作`,"overview.pendingIntro":`云厂商尚未确认结果的写操作；将在确认窗口内确定结果。`,"overview.pendingMine":`您在本浏览器中的操作`,"overview.pendingAll":`所有人的（当前仍待定）`,"overview.sentAt":`发送于 {at}`,"overview.morePending":`另有 {n} 条`,"overview.noPending":`没有待定操作。`,"overview.open":`查看`,"overview.recentEvents":`最近事件`,"overview.allEvents":`全部通知`,"reseller.invite":`邀请二级经销商`,"reseller.name":`经销商`,"reseller.funds":`资金`,"reseller.quotas":`代金券额度`,"reseller.manage":`管理`,"reseller.total":`共 {n} 个经销商`,"reseller.allocate":`向经销商划拨资金`,"reseller.reclaim":`从经销商回收资金`,"reseller.grant":`分配代金券额度`,"reseller.parentQuota":`来源额度`,"reseller.reclaimQuota":`回收额度`,"reseller.reclaimQuotaOf":`回收代金券额度 {id}`,"reseller.fundMovements":`资金流水`,"reseller.quotaMovements":`额度流水`,"reseller.refused":`被拒绝`,"reseller.showStanding":`查看本财年业绩`,"reseller.standing":`本财年业绩`,"reseller.performance":`业绩`,"project.showClosed":`显示已赢单和已丢单`,"project.file":`项目报备`,"project.findCustomer":`查找客户`,"project.name":`项目名称`,"project.winRateLabel":`赢率（%）`,"project.winRate":`赢率 {rate} %`,"project.count":`{n} 个项目`,"project.confirmed":`客户已确认`,"project.unconfirmed":`等待客户确认`,"project.approve":`BD 已批准`,"project.reject":`BD 已驳回`,"project.confirm":`客户已确认`,"project.advance":`下一阶段`,"project.advanceTo":`推进到 {stage}`,"project.lost":`关闭为丢单`,"project.lostReason":`丢单原因`,"project.done":`{what}：{name}`,"project.refused":`{what} 被拒绝：{why}`,"audit.tab.audit":`审计日志`,"audit.tab.webhooks":`Webhook 投递`,"audit.operation":`操作`,"audit.principal":`操作者`,"audit.outcome":`结果`,"audit.detail":`详情`,"audit.input":`输入`,"audit.total":`共 {n} 条`,"audit.event":`事件`,"audit.webhook":`Webhook`,"audit.attempts":`尝试次数`,"audit.last":`最近一次尝试`,"audit.next":`下次 {at}`,"audit.redeliver":`重新投递`,"audit.redelivered":`事件 {id} 已重新排队。`,"audit.noDeliveries":`没有投递记录（未配置 webhook，或尚无事件）。`,"kind.ENTERPRISE":`企业`,"kind.INDIVIDUAL":`个人`,"kind.UNKNOWN":`未知`,"source.BILL":`账单`,"source.ORDERS":`已付订单（估算）`,"shutdown.DELAY_STOP":`延期停机`,"shutdown.NO_STOP":`不停机`,"shutdown.IMMEDIATE_STOP":`立即停机`,"newTag.NEW":`新客户`,"newTag.NOT_NEW":`非新客户`,"newTag.UNDETERMINED":`待确定`,"newTag.NONE":`无标签`,"voucherStatus.NOT_ACTIVATED":`未激活`,"voucherStatus.AVAILABLE":`可用`,"voucherStatus.USED_UP":`已用完`,"voucherStatus.EXPIRED":`已过期`,"voucherStatus.RECLAIMED":`已回收`,"voucherStatus.UNKNOWN":`未知`,"quotaStatus.ACTIVE":`有效`,"quotaStatus.INVALID":`无效`,"quotaStatus.ADJUSTING":`调整中`,"quotaStatus.FROZEN":`已冻结`,"quotaStatus.RECLAIMED":`已回收`,"quotaStatus.UNKNOWN":`未知`,"quotaMove.GRANT":`分配`,"quotaMove.RECLAIM":`回收`,"quotaMove.UNKNOWN":`其他`,"ledger.ALLOCATION":`划拨`,"ledger.RECLAIM":`回收`,"ledger.TOP_UP":`充值`,"ledger.CONSUMPTION":`消费`,"ledger.REFUND":`退款`,"ledger.ADJUSTMENT":`调账`,"ledger.QUOTA_GRANT":`额度分配`,"ledger.QUOTA_RECLAIM":`额度回收`,"ledger.OTHER":`其他`,"orderStatus.PENDING_PAYMENT":`待支付`,"orderStatus.PENDING_REVIEW":`审核中`,"orderStatus.PROCESSING":`处理中`,"orderStatus.COMPLETED":`已完成`,"orderStatus.CANCELLED":`已取消`,"orderStatus.UNKNOWN":`未知`,"orderType.NEW":`新购`,"orderType.RENEW":`续费`,"orderType.UPGRADE":`升配`,"orderType.DOWNGRADE":`降配`,"orderType.CHANGE":`变更`,"orderType.REFUND":`退订`,"orderType.OTHER":`其他`,"orderType.UNKNOWN":`未知`,"stage.POTENTIAL_OPPORTUNITY":`潜在商机`,"stage.CONFIRMED_OPPORTUNITY":`确认商机`,"stage.SOLUTION_COMMUNICATION":`方案沟通`,"stage.BUSINESS_NEGOTIATION":`商务谈判`,"stage.SIGNED":`签约完成`,"stage.REVENUE_RECOGNIZED":`收入确认`,"projectStatus.IN_PROGRESS":`进行中`,"projectStatus.WON":`已赢单`,"projectStatus.LOST":`已丢单`,"approval.NOT_REQUIRED":`无需审批`,"approval.PENDING":`等待 BD 审批`,"approval.APPROVED":`BD 已批准`,"approval.REJECTED":`BD 已驳回`,"delivery.PENDING":`待投递`,"delivery.DELIVERED":`已投递`,"delivery.DEAD":`投递失败`},Et={"lang.name":`English`,"lang.switchTo":`Switch to English`,"app.title":`Partner console`,"app.skip":`Skip to content`,"nav.label":`Main`,"nav.overview":`Overview`,"nav.customers":`Customers`,"nav.customer":`Customer`,"nav.invite":`Invite or create`,"nav.resellers":`Resellers`,"nav.projects":`Projects`,"nav.notifications":`Notifications`,"nav.audit":`Audit log`,"role.ADMIN":`Administrator`,"role.FINANCE":`Finance`,"role.SALES":`Sales`,"signin.intro":`Sign in to manage your customers on Alibaba Cloud and Huawei Cloud.`,"signin.withIssuer":`Sign in with {issuer}`,"signin.or":`or, for development`,"signin.apiKey":`API key or token`,"signin.apiKeyHint":`Kept in this tab only, until you sign out or close it.`,"signin.keyMissing":`Enter an API key or a token.`,"signin.submit":`Sign in`,"signin.out":`Sign out`,"signin.expired":`Your sign-in is no longer accepted: sign in again.`,"signin.oidcFailed":`Sign-in with the identity provider failed`,"signin.checking":`Checking who you are…`,"signin.open":`Open gateway`,"signin.openHint":`No API keys or issuer are configured: every request is an administrator (loopback only).`,"common.loading":`Loading…`,"common.none":`Nothing here.`,"common.all":`All`,"common.yes":`Yes`,"common.no":`No`,"common.prev":`Previous`,"common.next":`Next`,"common.page":`Page {n}`,"common.pageSize":`Per page`,"common.soon":`This screen is being built.`,"common.reload":`Reload`,"common.cancel":`Cancel`,"common.close":`Close`,"common.submit":`Submit`,"common.save":`Save`,"common.amount":`Amount`,"common.currency":`Currency`,"common.partner":`Partner account`,"common.at":`At`,"common.status":`Status`,"common.showTable":`Show as a table`,"common.month":`Month`,"common.source":`Source`,"common.name":`Name`,"errors.title":`Something went wrong`,"provider.aliyun":`Alibaba Cloud`,"provider.huaweicloud":`Huawei Cloud`,"status.ASSOCIATED":`Associated`,"status.INVITED":`Invited`,"status.INVITATION_EXPIRED":`Invitation expired`,"status.FROZEN":`Frozen`,"status.UNKNOWN":`Unknown`,"accountType.AGENCY":`Agency`,"accountType.CONSIGNMENT":`Consignment`,"accountType.ADVISORY":`Advisory`,"accountType.RESALE":`Resale`,"accountType.UNKNOWN":`Unknown`,"customers.invite":`Invite or create`,"customers.filters":`Filter customers`,"customers.search":`Search`,"customers.searchHint":`Name, id or e-mail`,"customers.provider":`Cloud`,"customers.status":`Status`,"customers.accountType":`Account type`,"customers.owner":`Owner`,"customers.name":`Customer`,"customers.realName":`Real name verified`,"customers.funds":`Balance or credit`,"customers.creditOf":`credit line {line}`,"customers.total":`{n} customers`,"customers.noneFound":`No customer matches.`,"customers.expires":`expires {at}`,"live.idle":`Not connected`,"live.connecting":`Connecting…`,"live.live":`Live`,"live.reconnecting":`Reconnecting…`,"live.error":`Stopped`,"live.closed":`Closed`,"notifications.intro":`Changes the gateway finds at both clouds, or makes itself: the latest first, then new ones as they happen.`,"notifications.introLive":`Changes to your customers at both clouds, as they happen (since you signed in).`,"notifications.none":`No change yet. New ones appear here as they happen.`,"notifications.unread":`{n} unread`,"event.customer.created":`Customer created`,"event.customer.invitation_accepted":`Invitation accepted`,"event.customer.invitation_expired":`Invitation expired`,"event.customer.frozen":`Customer frozen`,"event.customer.unfrozen":`Customer unfrozen`,"event.customer.balance_low":`Balance low`,"event.voucher.issued":`Voucher issued`,"event.voucher.expiring":`Voucher expiring`,"event.reseller.funds_changed":`Reseller funds changed`,"event.consumption.month_closed":`Billing month closed`,"event.project.stage_changed":`Project stage changed`,"event.project.approved":`Project approved`,"event.project.confirmed":`Project confirmed`,"event.operation.settled":`Operation settled`,"form.required":`{field} is required.`,"form.amount":`{field}: an amount such as 100 or 100.50.`,"form.choose":`Choose…`,"form.optional":`optional`,"outcome.sending":`Sending…`,"outcome.settled":`Done`,"outcome.pending":`Outcome pending`,"outcome.failed":`Not carried out`,"outcome.applied":`The cloud carried it out.`,"outcome.reconciled":`The reply was lost; the cloud's own records show it was carried out (once).`,"outcome.replayed":`Sent before with this key: this is the first outcome again, nothing was done twice.`,"outcome.pendingDetail":`The cloud has not shown yet whether it carried this out. Nothing is guessed: check again in a few seconds, with the same key.`,"outcome.noReply":`No reply came back: the request may or may not have been carried out. Check again with the same key; it will not be done twice.`,"outcome.retryable":`Nothing was applied; sending it again with the same key is safe.`,"outcome.refused":`Refused: nothing was applied.`,"outcome.key":`Idempotency key`,"outcome.attempts":`{n} attempt(s)`,"outcome.checkAgain":`Check again`,"outcome.retrySameKey":`Retry with the same key`,"outcome.operation":`Operation`,"charts.empty":`No figures for this range.`,"charts.summary":`{n} periods from {first} to {last}`,"customer.notFound":`No such customer, or not yours to see.`,"customer.facts":`Customer`,"customer.nativeId":`Cloud id`,"customer.kind":`Kind`,"customer.associatedAt":`Associated`,"customer.invitationExpires":`Invitation expires`,"customer.email":`E-mail`,"customer.phone":`Phone`,"customer.newTag":`New-customer tag`,"customer.funds":`Funds`,"customer.balance":`Balance`,"customer.availableCredit":`Available credit`,"customer.creditLine":`Credit line`,"customer.debt":`Outstanding`,"customer.controls":`Credit controls`,"customer.warningThreshold":`Warning threshold`,"customer.newPurchases":`New purchases`,"customer.banned":`Banned`,"customer.allowed":`Allowed`,"customer.shutdownPolicy":`When credit runs out`,"customer.paygFrozen":`Pay-as-you-go`,"customer.notFrozen":`Not frozen`,"customer.noFunds":`The cloud keeps no funds for this customer (advisory or agency customers pay the cloud themselves).`,"customer.openActions":`Operations awaiting their outcome`,"customer.actions":`Actions`,"customer.noMoney":`Your role does not move money: transfers, credit lines and vouchers are for finance and administrators.`,"customer.resaleOnly":`Funds move only for resale (代售) customers.`,"customer.consignmentOnly":`Credit lines are set only for consignment (代销) customers.`,"customer.noteContent":`Note`,"customer.noteContact":`Contact (optional)`,"customer.consumption":`Consumption {from} – {to}`,"customer.consumptionChart":`Monthly consumption`,"customer.noConsumption":`No consumption figures for this customer.`,"customer.orders":`Orders ({n})`,"customer.vouchers":`Vouchers ({n})`,"customer.notes":`Follow-up notes ({n})`,"customer.creditHistory":`Credit history`,"customer.unsupported":`This cloud has no API for it.`,"action.transfer":`Transfer funds to the customer`,"action.transferIntro":`From the partner account's balance to the customer's (Huawei resale).`,"action.reclaim":`Reclaim funds from the customer`,"action.reclaimIntro":`From the customer's balance back to the partner account's.`,"action.creditLine":`Set the credit line`,"action.warningThreshold":`Set the warning threshold`,"action.purchaseBan":`Ban or allow new purchases`,"action.shutdownPolicy":`Choose what happens when credit runs out`,"action.freeze":`Freeze pay-as-you-go`,"action.freezeIntro":`New pay-as-you-go use is blocked until thawed.`,"action.thaw":`Thaw pay-as-you-go`,"action.thawIntro":`Pay-as-you-go use is allowed again.`,"action.voucher":`Issue a voucher`,"action.resend":`Send the invitation again`,"action.resendIntro":`A new 72-hour registration link is e-mailed.`,"action.note":`Add a follow-up note`,"action.reclaimVoucher":`Reclaim`,"action.reclaimVoucherOf":`Reclaim voucher {id}`,"actionButton.transfer":`Transfer`,"actionButton.reclaim":`Reclaim`,"actionButton.credit-line":`Credit line`,"actionButton.warning-threshold":`Warning threshold`,"actionButton.purchase-ban":`New purchases`,"actionButton.shutdown-policy":`Shutdown policy`,"actionButton.freeze":`Freeze or thaw`,"actionButton.voucher":`Issue voucher`,"actionButton.resend":`Resend invitation`,"actionButton.note":`Add note`,"actionButton.allocate":`Allocate funds`,"actionButton.reclaim-funds":`Reclaim funds`,"actionButton.grant-quota":`Grant voucher quota`,"voucher.id":`Voucher`,"voucher.faceValue":`Face value`,"voucher.remaining":`Remaining`,"voucher.validUntil":`Valid until`,"voucher.template":`Voucher template`,"voucher.quota":`Voucher quota`,"order.product":`Product`,"order.type":`Type`,"order.amount":`Amount due`,"order.created":`Created`,"invite.none":`No partner account here can create customers.`,"invite.aliyunIntro":`Alibaba Cloud: the customer is filed and receives a registration link by e-mail; the link expires after {hours} hours (it can be sent again).`,"invite.huaweiIntro":`Huawei Cloud: the customer account is created at once. A phone number given must be verified with the SMS code sent to it.`,"invite.name":`Customer name`,"invite.accountName":`Login name`,"invite.accountNameHint":`The new Huawei Cloud account's name.`,"invite.emailHint":`The registration link goes here.`,"invite.phoneHint":`Optional; then an SMS code is needed.`,"invite.phoneInvalid":`Enter a phone number (digits, optionally with +).`,"invite.sendCode":`Send SMS code`,"invite.code":`SMS verification code`,"invite.codeHint":`The code the phone received.`,"invite.codeNeeded":`With a phone number, enter the SMS code it received.`,"invite.ownerSelf":`The customer will be yours ({owner}).`,"invite.invite":`Send invitation`,"invite.create":`Create customer`,"invite.sent":`Invitation sent.`,"invite.link":`Registration link`,"invite.expires":`Expires in {hours} hours: {at}`,"invite.expiresIn":`Expires {hours} hours after sending.`,"invite.created":`Customer created: {id}`,"invite.open":`Open the customer`,"overview.range":`{from} – {to}`,"overview.loadingConsumption":`Reading a year of consumption from both clouds…`,"overview.thisMonth":`This month so far ({month})`,"overview.lastMonth":`Last month ({month})`,"overview.up":`up`,"overview.down":`down`,"overview.total":`Total`,"overview.sources":`Huawei Cloud figures are bills (BILL); Alibaba Cloud figures are paid orders (ORDERS), an estimate. They are never added together.`,"overview.trend":`Monthly trend`,"overview.topProducts":`Top products`,"overview.topCustomers":`Top customers`,"overview.program":`Program standing`,"overview.performance":`Fiscal year {start} to {through}`,"overview.tier":`Rebate tier {tier}: {rate} %`,"overview.belowTiers":`Below the lowest rebate tier`,"overview.toNextTier":`Progress to the next tier`,"overview.nextTier":`{toGo} to go for {rate} % (from {at})`,"overview.topTier":`The top tier.`,"overview.toLine":`Progress to the {line} line`,"overview.lineReached":`{line} line reached: may apply for tier-1`,"overview.lineToGo":`{toGo} to go to the {line} line`,"overview.incentives":`Earns incentives`,"overview.noIncentives":`No incentives from the cloud (its tier-1 earns them)`,"overview.tier2Line":`Tier-2 resellers and the upgrade line`,"overview.noTier2":`No tier-2 reseller measured against the line.`,"overview.reached":`Reached`,"overview.toGo":`{toGo} to go`,"overview.pending":`Pending operations`,"overview.pendingIntro":`Writes whose outcome the cloud has not shown yet; they settle within the settle window.`,"overview.pendingMine":`Yours, in this browser`,"overview.pendingAll":`Everyone's, pending now`,"overview.sentAt":`sent {at}`,"overview.morePending":`and {n} more`,"overview.noPending":`Nothing pending.`,"overview.open":`Open`,"overview.recentEvents":`Recent events`,"overview.allEvents":`All notifications`,"reseller.invite":`Invite a reseller`,"reseller.name":`Reseller`,"reseller.funds":`Funds`,"reseller.quotas":`Voucher quotas`,"reseller.manage":`Manage`,"reseller.total":`{n} resellers`,"reseller.allocate":`Allocate funds to the reseller`,"reseller.reclaim":`Reclaim funds from the reseller`,"reseller.grant":`Grant voucher quota`,"reseller.parentQuota":`From quota`,"reseller.reclaimQuota":`Reclaim quota`,"reseller.reclaimQuotaOf":`Reclaim voucher quota {id}`,"reseller.fundMovements":`Fund movements`,"reseller.quotaMovements":`Quota movements`,"reseller.refused":`refused`,"reseller.showStanding":`Show this fiscal year's standing`,"reseller.standing":`Fiscal year standing`,"reseller.performance":`Performance`,"project.showClosed":`Show won and lost`,"project.file":`File a project`,"project.findCustomer":`Find the customer`,"project.name":`Project name`,"project.winRateLabel":`Win rate (%)`,"project.winRate":`Win rate {rate} %`,"project.count":`{n} projects`,"project.confirmed":`Customer confirmed`,"project.unconfirmed":`Awaiting customer confirmation`,"project.approve":`BD approved`,"project.reject":`BD rejected`,"project.confirm":`Customer confirmed`,"project.advance":`Next stage`,"project.advanceTo":`Move to {stage}`,"project.lost":`Close as lost`,"project.lostReason":`Why was it lost?`,"project.done":`{what}: {name}`,"project.refused":`{what} refused: {why}`,"audit.tab.audit":`Audit log`,"audit.tab.webhooks":`Webhook deliveries`,"audit.operation":`Operation`,"audit.principal":`Principal`,"audit.outcome":`Outcome`,"audit.detail":`Detail`,"audit.input":`Input`,"audit.total":`{n} records`,"audit.event":`Event`,"audit.webhook":`Webhook`,"audit.attempts":`Attempts`,"audit.last":`Last attempt`,"audit.next":`next {at}`,"audit.redeliver":`Deliver again`,"audit.redelivered":`Event {id} queued again.`,"audit.noDeliveries":`No deliveries (no webhooks configured, or nothing to send yet).`,"kind.ENTERPRISE":`Enterprise`,"kind.INDIVIDUAL":`Individual`,"kind.UNKNOWN":`Unknown`,"source.BILL":`bills`,"source.ORDERS":`paid orders (estimate)`,"shutdown.DELAY_STOP":`Stop after a grace period`,"shutdown.NO_STOP":`Do not stop`,"shutdown.IMMEDIATE_STOP":`Stop at once`,"newTag.NEW":`New customer`,"newTag.NOT_NEW":`Not new`,"newTag.UNDETERMINED":`Not yet determined`,"newTag.NONE":`No tag`,"voucherStatus.NOT_ACTIVATED":`Not activated`,"voucherStatus.AVAILABLE":`Available`,"voucherStatus.USED_UP":`Used up`,"voucherStatus.EXPIRED":`Expired`,"voucherStatus.RECLAIMED":`Reclaimed`,"voucherStatus.UNKNOWN":`Unknown`,"quotaStatus.ACTIVE":`Active`,"quotaStatus.INVALID":`Invalid`,"quotaStatus.ADJUSTING":`Adjusting`,"quotaStatus.FROZEN":`Frozen`,"quotaStatus.RECLAIMED":`Reclaimed`,"quotaStatus.UNKNOWN":`Unknown`,"quotaMove.GRANT":`Granted`,"quotaMove.RECLAIM":`Reclaimed`,"quotaMove.UNKNOWN":`Other`,"ledger.ALLOCATION":`Allocation`,"ledger.RECLAIM":`Reclaim`,"ledger.TOP_UP":`Top-up`,"ledger.CONSUMPTION":`Consumption`,"ledger.REFUND":`Refund`,"ledger.ADJUSTMENT":`Adjustment`,"ledger.QUOTA_GRANT":`Quota granted`,"ledger.QUOTA_RECLAIM":`Quota reclaimed`,"ledger.OTHER":`Other`,"orderStatus.PENDING_PAYMENT":`Awaiting payment`,"orderStatus.PENDING_REVIEW":`Under review`,"orderStatus.PROCESSING":`Processing`,"orderStatus.COMPLETED":`Completed`,"orderStatus.CANCELLED":`Cancelled`,"orderStatus.UNKNOWN":`Unknown`,"orderType.NEW":`New`,"orderType.RENEW":`Renewal`,"orderType.UPGRADE":`Upgrade`,"orderType.DOWNGRADE":`Downgrade`,"orderType.CHANGE":`Change`,"orderType.REFUND":`Refund`,"orderType.OTHER":`Other`,"orderType.UNKNOWN":`Unknown`,"stage.POTENTIAL_OPPORTUNITY":`Potential opportunity`,"stage.CONFIRMED_OPPORTUNITY":`Confirmed opportunity`,"stage.SOLUTION_COMMUNICATION":`Solution discussion`,"stage.BUSINESS_NEGOTIATION":`Negotiation`,"stage.SIGNED":`Signed`,"stage.REVENUE_RECOGNIZED":`Revenue recognized`,"projectStatus.IN_PROGRESS":`In progress`,"projectStatus.WON":`Won`,"projectStatus.LOST":`Lost`,"approval.NOT_REQUIRED":`No approval needed`,"approval.PENDING":`Awaiting BD approval`,"approval.APPROVED":`BD approved`,"approval.REJECTED":`BD rejected`,"delivery.PENDING":`Pending`,"delivery.DELIVERED":`Delivered`,"delivery.DEAD":`Failed`},Dt={"zh-CN":Tt,en:Et},Ot=`pgw.console.lang`,kt=new Set;function At(){try{let e=localStorage.getItem(Ot);if(e&&e in Dt)return e}catch{}return`zh-CN`}var jt=At();document.documentElement.lang=jt;function Mt(){return jt}function Nt(e){if(e in Dt&&e!==jt){jt=e,document.documentElement.lang=e;try{localStorage.setItem(Ot,e)}catch{}for(let t of kt)t(e)}}function I(e,t){let n=Dt[jt][e]??Et[e]??e;return t?n.replace(/\{(\w+)\}/g,(e,n)=>(t[n]??``).toString()):n}function L(e,t){if(t==null)return`—`;let n=`${e}.${t}`;return Dt[jt][n]??Et[n]??String(t)}function Pt(){let[e,t]=j(jt);return M(()=>(kt.add(t),()=>kt.delete(t)),[]),e}function Ft(){let e=Mt(),t=e===`zh-CN`?`en`:`zh-CN`;return O`<button
    type="button"
    class="lang"
    data-testid="lang-switch"
    data-lang=${e}
    lang=${t}
    aria-label=${Dt[t][`lang.switchTo`]}
    onClick=${()=>Nt(t)}
  >
    <span aria-hidden="true">⇄ </span>${Dt[t][`lang.name`]}
  </button>`}function It(e){let[t=`overview`,...n]=e.replace(/^#\/?/,``).split(`/`).filter(Boolean);return{screen:t,id:n.length?decodeURIComponent(n.join(`/`)):null}}function Lt(e,t){return`#/${e}${t?`/${encodeURIComponent(t)}`:``}`}function Rt(){let[e,t]=j(location.hash);return M(()=>{let e=()=>t(location.hash);return addEventListener(`hashchange`,e),()=>removeEventListener(`hashchange`,e)},[]),It(e)}var zt=200,Bt=`id type occurredAt subject partnerId data`,Vt=`subscription Events { events { ${Bt} } }`,Ht=`query RecentEvents($first: Int!) { recentEvents(first: $first) { ${Bt} } }`,Ut=20,Wt=300,R={items:[],status:`idle`,error:null,unread:0},Gt=new Set,Kt=null,qt=!1,Jt=!1,Yt=0;function Xt(){for(let e of Gt)e({...R})}function Zt({withHistory:e=Jt}={}){if(qt=!0,Jt=e,Kt)return;let t=wt();R.status=`connecting`,Xt();let n=t.on(`connected`,()=>{R.status=`live`,R.error=null,Xt(),Jt&&setTimeout(Qt,Wt,Yt++>0)}),r=t.on(`closed`,e=>{Kt&&(R.status=`reconnecting`,R.error=e?.code?`${e.code} ${e.reason||``}`.trim():null,Xt())}),i=t.subscribe({query:Vt},{next:({data:e,errors:t})=>{e?.events&&!R.items.some(t=>t.id===e.events.id)&&(R.items=[e.events,...R.items].slice(0,zt),R.unread+=1),t?.length&&(R.error=t.map(e=>e.message).join(`; `)),Xt()},error:e=>{let t=Array.isArray(e)?e:[];Kt=null,t.some(e=>e.extensions?.code===`SUBSCRIPTION_LAGGED`)?(R.status=`reconnecting`,Xt(),setTimeout(()=>qt&&Zt(),1e3)):(R.status=`error`,R.error=e?.message||(t.length?t.map(e=>e.message).join(`; `):`${e?.code??``} ${e?.reason??``}`.trim()||String(e)),Xt())},complete:()=>{R.status=`closed`,Kt=null,Xt()}});Kt=()=>{n(),r(),i()}}async function Qt(e){let t;try{t=await xt(Ht,{first:Ut})}catch{return}let n=t.data?.recentEvents;if(!n||!qt)return;let r=new Set(R.items.map(e=>e.id)),i=n.findIndex(e=>r.has(e.id)),a=(i<0?n:n.slice(0,i)).filter(e=>!r.has(e.id)),o=i<0?[]:n.slice(i).filter(e=>!r.has(e.id));(a.length||o.length)&&(R.items=[...a,...R.items,...o].slice(0,zt),e&&(R.unread+=a.length),Xt())}function $t(){qt=!1,Yt=0;let e=Kt;Kt=null,e?.(),R.items=[],R.unread=0,R.status=`idle`,Xt()}function en(){R.unread&&(R.unread=0,Xt())}function tn(){let[e,t]=j({...R});return M(()=>(Gt.add(t),t({...R}),()=>Gt.delete(t)),[]),e}var nn={CNY:`¥`,USD:`$`,EUR:`€`,HKD:`HK$`};function rn(e){let t=String(e),n=t.startsWith(`-`),[r,i]=(n?t.slice(1):t).split(`.`),a=r.replace(/\B(?=(\d{3})+(?!\d))/g,`,`);return`${n?`-`:``}${a}${i===void 0?``:`.${i}`}`}function z(e){if(!e)return`—`;let t=nn[e.currency],n=rn(e.amount);return t?n.startsWith(`-`)?`-${t}${n.slice(1)}`:`${t}${n}`:`${n} ${e.currency}`}function B(e){if(!e)return`—`;let t=new Date(e);return Number.isNaN(t.getTime())?String(e):t.toLocaleString(Mt(),{dateStyle:`medium`,timeStyle:`short`})}function an(e){if(!e)return`—`;let t=new Date(e);return Number.isNaN(t.getTime())?String(e):t.toLocaleDateString(Mt(),{dateStyle:`medium`})}function on(e=0,t=new Date){let n=new Date(t.getFullYear(),t.getMonth()-e,1);return`${n.getFullYear()}-${String(n.getMonth()+1).padStart(2,`0`)}`}function V(e,t,n,{skip:r=!1}={}){let[i,a]=j({loading:!r,data:null,errors:null,error:null}),o=Ne(0),s=Fe(async()=>{let n=++o.current;a(e=>({...e,loading:!0,error:null}));try{let r=await xt(e,t);n===o.current&&a({loading:!1,data:r.data,errors:r.errors||null,error:null})}catch(e){n===o.current&&a({loading:!1,data:null,errors:null,error:e})}},[n]);return M(()=>{r||s()},[s,r]),{...i,reload:s}}function H({errors:e,error:t}){let n=e?.filter(e=>e.extensions?.code!==`UNSUPPORTED_BY_PROVIDER`);if(!n?.length&&!t)return null;let r=t?[{message:t.message,extensions:{code:t.code}}]:n;return O`<div class="alert alert-error" role="alert" data-testid="error">
    <strong><span aria-hidden="true">⚠ </span>${I(`errors.title`)}</strong>
    <ul>
      ${r.map(e=>O`<li>
          ${e.message}
          ${e.extensions?.code?O` <code>${e.extensions.code}</code>`:null}
          ${e.extensions?.partnerId?O` <span class="muted">(${e.extensions.partnerId})</span>`:null}
        </li>`)}
    </ul>
  </div>`}function U({label:e}){return O`<p class="loading" role="status" aria-live="polite" data-testid="loading"><span class="spinner" aria-hidden="true"></span>${e||I(`common.loading`)}</p>`}function sn({tone:e=`error`,children:t}){return O`<p class=${`alert alert-${e}`} role="alert" data-testid="error"><span aria-hidden="true">${e===`error`?`⚠`:`!`} </span>${t}</p>`}var cn={ASSOCIATED:`✓`,INVITED:`✉`,INVITATION_EXPIRED:`⊘`,FROZEN:`❄`,UNKNOWN:`?`};function ln({status:e}){return O`<span class=${`badge badge-${(e||`UNKNOWN`).toLowerCase()}`} data-status=${e}>
    <span aria-hidden="true">${cn[e]||`•`} </span>${L(`status`,e)}
  </span>`}var un={good:`✓`,bad:`✕`,warn:`!`,info:`i`,wait:`◔`};function W({tone:e=`info`,children:t,...n}){return O`<span class=${`badge badge-${e}`} ...${n}><span aria-hidden="true">${un[e]} </span>${t}</span>`}function dn({provider:e}){return O`<span class=${`provider provider-${e}`}>${L(`provider`,e)}</span>`}function G({value:e}){return O`<span class="money">${z(e)}</span>`}function K({label:e,id:t,hint:n,children:r}){return O`<div class="field">
    <label for=${t}>${e}</label>
    ${r}
    ${n?O`<small id=${`${t}-hint`} class="hint">${n}</small>`:null}
  </div>`}function q({title:e,children:t,actions:n,id:r}){return O`<section class="card" aria-labelledby=${r}>
    <header class="card-head"><h2 id=${r}>${e}</h2>${n?O`<div class="card-actions">${n}</div>`:null}</header>
    ${t}
  </section>`}function J({children:e}){return O`<p class="empty">${e||I(`common.none`)}</p>`}function Y(e){return e?.edges?.map(e=>e.node)??e?.nodes??[]}function fn({config:e,notice:t}){let[n,r]=j(``),[i,a]=j(null),[o,s]=j(!1),c=e.auth?.oidc;return O`<main class="signin" id="main">
    <div class="signin-card">
      <div class="signin-head">
        <h1><span class="logo" aria-hidden="true">◆</span> ${I(`app.title`)}</h1>
        <${Ft} />
      </div>
      <p class="muted">${I(`signin.intro`)}</p>
      ${t?O`<p class="alert alert-warn" role="alert"><span aria-hidden="true">! </span>${t}</p>`:null}
      ${i?O`<${sn}>${i}<//>`:null}
      ${c?O`<button type="button" class="primary wide" data-testid="signin-oidc" disabled=${o} onClick=${async()=>{s(!0);try{await it(c,location.hash)}catch(e){a(`${I(`signin.oidcFailed`)}: ${e.message}`),s(!1)}}}>
              ${I(`signin.withIssuer`,{issuer:new URL(c.issuer).host})}
            </button>
            <p class="or"><span>${I(`signin.or`)}</span></p>`:null}
      <form onSubmit=${e=>{e.preventDefault();let t=n.trim();t?Ze({kind:t.startsWith(`pgw_`)?`apikey`:`token`,value:t}):a(I(`signin.keyMissing`))}} class="stack">
        <div class="field">
          <label for="signin-apikey">${I(`signin.apiKey`)}</label>
          <input
            id="signin-apikey"
            data-testid="signin-apikey"
            type="password"
            autocomplete="off"
            spellcheck="false"
            value=${n}
            onInput=${e=>r(e.currentTarget.value)}
            aria-describedby="signin-apikey-hint"
          />
          <small id="signin-apikey-hint" class="hint">${I(`signin.apiKeyHint`)}</small>
        </div>
        <button type="submit" class=${c?``:`primary`} data-testid="signin-submit">${I(`signin.submit`)}</button>
      </form>
    </div>
  </main>`}var pn=(function(){let e=typeof document<`u`&&document.createElement(`link`).relList;return e&&e.supports&&e.supports(`modulepreload`)?`modulepreload`:`preload`})(),mn=function(e,t){return new URL(e,t).href},hn={},gn={},_n=function(e){return e.pathname.endsWith(`.css`)},vn=function(e,t,n){if(t in e)return e[t];let r=n();if(!r){e[t]=void 0;return}let i=r.then(()=>{e[t]=void 0},n=>{throw delete e[t],n});return e[t]=i,i},yn=function(e,t,n){let r=Promise.resolve();if(t&&t.length>0){let e,i=document.querySelector(`meta[property=csp-nonce]`),a=i?.nonce||i?.getAttribute(`nonce`);function o(e){return Promise.all(e.map(e=>Promise.resolve(e).then(e=>({status:`fulfilled`,value:e}),e=>({status:`rejected`,reason:e}))))}function s(e){return import.meta.resolve?new URL(import.meta.resolve(e)):new URL(e,import.meta.url)}r=o(t.map(t=>{t=mn(t,n);let r=s(t),i=_n(r);return vn(hn,r.href,()=>{if(e===void 0){e={all:new Set,styles:new Set};let t=document.getElementsByTagName(`link`);for(let n=t.length-1;n>=0;n--){let r=t[n];e.all.add(r.href),r.rel===`stylesheet`&&e.styles.add(r.href)}}let t=i?e.styles:e.all,n=i?gn[r.href]:void 0;if(!n&&t.has(r.href))return;let o=document.createElement(`link`);if(o.rel=i?`stylesheet`:pn,i||(o.as=`script`),o.crossOrigin=``,o.href=r.href,a&&o.setAttribute(`nonce`,a),n&&delete gn[r.href],n?.isConnected?n.replaceWith(o):document.head.appendChild(o),i)return new Promise((e,t)=>{let n=i=>{o.removeEventListener(`load`,n),o.removeEventListener(`error`,n),i.type===`error`?(gn[r.href]=o,t(Error(`Unable to preload CSS for ${r}`))):e(i)};o.addEventListener(`load`,n),o.addEventListener(`error`,n)})})}).filter(e=>e!==void 0))}function i(e){let t=new Event(`vite:preloadError`,{cancelable:!0});if(t.payload=e,window.dispatchEvent(t),!t.defaultPrevented)throw e}return r.then(t=>{for(let e of t||[])e.status===`rejected`&&i(e.reason);return e().catch(i)})},bn=null;function xn(){return bn??=yn(()=>import(`./echarts-YyLiO4pz.js`).then(e=>e.default),[],import.meta.url),bn}function Sn(e){let t=[...new Set(e.map(e=>e.period))].sort(),n=new Map;for(let t of e){let e=`${t.amount.currency} · ${L(`source`,t.source)}`;n.has(e)||n.set(e,new Map),n.get(e).set(t.period,t.amount.amount)}return{periods:t,series:[...n].map(([e,n])=>({name:e,values:t.map(e=>n.get(e)??`0`)}))}}function Cn({points:e,label:t,kind:n=`line`,testid:r}){let i=Ne(null),[a,o]=j(null),{periods:s,series:c}=Sn(e||[]);return M(()=>{let e,t,r=!0;return xn().then(a=>{r&&i.current&&(e=a.init(i.current,null,{renderer:`canvas`}),e.setOption({animation:!matchMedia(`(prefers-reduced-motion: reduce)`).matches,tooltip:{trigger:`axis`},legend:{top:0},grid:{left:60,right:20,top:36,bottom:28},xAxis:{type:`category`,data:s},yAxis:{type:`value`},series:c.map(e=>({name:e.name,type:n,smooth:n===`line`,showSymbol:s.length<40,data:e.values.map(Number)}))}),t=new ResizeObserver(()=>e.resize()),t.observe(i.current))}).catch(o),()=>{r=!1,t?.disconnect(),e?.dispose()}},[JSON.stringify(e),n,Mt()]),e?.length?O`<figure class="figure" data-testid=${r}>
    <div ref=${i} class="chart" role="img" aria-label=${`${t}: ${I(`charts.summary`,{n:s.length,first:s[0],last:s[s.length-1]})}`}></div>
    ${a?O`<${sn}>${a.message}<//>`:null}
    <details>
      <summary>${I(`common.showTable`)}</summary>
      <table class="table">
        <thead><tr><th scope="col">${I(`common.month`)}</th>${c.map(e=>O`<th scope="col" class="num">${e.name}</th>`)}</tr></thead>
        <tbody>
          ${s.map((e,t)=>O`<tr><th scope="row">${e}</th>${c.map(e=>O`<td class="num">${rn(e.values[t])}</td>`)}</tr>`)}
        </tbody>
      </table>
    </details>
  </figure>`:O`<p class="empty">${I(`charts.empty`)}</p>`}var wn=`pgw.console.actions`,Tn=new Set,En=Dn();function Dn(){try{let e=JSON.parse(localStorage.getItem(wn)||`[]`);return Array.isArray(e)?e.map(e=>e.state===`new`||e.sending?{...e,state:`pending`,sending:!1,outcome:{unknown:!0,code:`NO_REPLY`}}:e):[]}catch{return[]}}function On(){try{let e=En.filter(e=>kn(e)||e.state===`new`||e.sending).slice(0,50);localStorage.setItem(wn,JSON.stringify(e))}catch{}for(let e of Tn)e([...En])}function kn(e){return e.state===`pending`||e.state===`failed`&&e.outcome?.retryable}var An=new Set([`CustomerPayload`,`ResellerPayload`,`VoucherPayload`,`TemplatePayload`,`CreateCustomerPayload`,`ProjectPayload`]),jn=new Set([`DEADLINE_EXCEEDED`,`STORE_UNAVAILABLE`,`INTERNAL_SERVER_ERROR`,`OPERATION_PENDING`]);function Mn(e,t){if(e&&An.has(e.__typename))return{state:`settled`,outcome:{typename:e.__typename,operation:e.operation,result:e}};if(e?.__typename===`UpstreamError`){let t={typename:e.__typename,code:e.code,message:e.message,reason:e.reason,retryable:e.retryable,pending:e.pending,operationId:e.operationId,requestId:e.requestId};return{state:e.pending?`pending`:`failed`,outcome:t}}if(e?.__typename)return{state:`failed`,outcome:{typename:e.__typename,code:e.code,message:e.message,reason:e.reason??e.rule,field:e.field,retryable:!1}};let n=t?.[0],r=n?.extensions?.code;return!n||jn.has(r)?{state:`pending`,outcome:{unknown:!0,code:r||`NO_REPLY`,message:n?.message}}:{state:`failed`,outcome:{code:r,message:n.message,retryable:r===`RATE_LIMITED`}}}function Nn({kind:e,target:t,label:n,mutation:r,field:i,variables:a}){let o=JSON.stringify([e,t,a]),s=En.find(e=>e.signature===o&&kn(e));return s||(s={id:crypto.randomUUID(),kind:e,target:t,label:n,mutation:r,field:i,variables:a,signature:o,key:crypto.randomUUID(),attempts:0,state:`new`,at:new Date().toISOString()},En=[s,...En],On()),s}async function Pn(e){let t=En.find(t=>t.id===e.id)??e;t.attempts+=1,t.sending=!0,On();let n;try{let e=await xt(t.mutation,{...t.variables,idempotencyKey:t.key});n=Mn(e.data?.[t.field],e.errors)}catch(e){n=e.lost?{state:`pending`,outcome:{unknown:!0,code:`NO_REPLY`,message:e.message}}:{state:`failed`,outcome:{code:e.code||`HTTP_${e.status}`,message:e.message,retryable:e.status===429}}}return Object.assign(t,n,{sending:!1,checkedAt:new Date().toISOString()}),On(),t}function Fn(e=()=>!0){let[t,n]=j(En);return M(()=>(Tn.add(n),()=>Tn.delete(n)),[]),t.filter(e)}var In={settled:`✓`,pending:`◔`,failed:`✕`};function Ln({action:e,onSettled:t}){if(!e)return null;if(e.state===`new`)return O`<p class="loading" role="status" data-testid="loading"><span class="spinner" aria-hidden="true"></span>${I(`outcome.sending`)}</p>`;let{state:n,outcome:r={}}=e;return O`<div class="outcome" data-state=${n} data-testid="outcome" data-kind=${e.kind}>
    <p data-testid="outcome-status" data-state=${n} role="status" aria-live="polite">
      <strong><span aria-hidden="true">${In[n]} </span>${I(`outcome.${n}`)} (${n.toUpperCase()})</strong>
    </p>
    ${n===`settled`?O`<p class="small">
          ${r.operation?.reconciled?I(`outcome.reconciled`):r.operation?.replayed?I(`outcome.replayed`):I(`outcome.applied`)}
          ${r.operation?.operationId?O` <span class="muted">${I(`outcome.operation`)} <code>${r.operation.operationId}</code></span>`:null}
        </p>`:null}
    ${n===`pending`?O`<p class="small">${r.unknown?I(`outcome.noReply`):I(`outcome.pendingDetail`)}</p>`:null}
    ${n===`failed`?O`<p class="small">${r.retryable?I(`outcome.retryable`):I(`outcome.refused`)}</p>`:null}
    ${r.message&&n!==`settled`?O`<p class="small">${r.message} ${r.code?O`<code>${r.code}</code>`:null} ${r.reason?O`<code>${r.reason}</code>`:null}</p>`:null}
    <p class="key">${I(`outcome.key`)} <code data-testid="idempotency-key">${e.key}</code> · ${I(`outcome.attempts`,{n:e.attempts})}</p>
    ${kn(e)?O`<button type="button" data-testid="check-again" disabled=${e.sending} onClick=${async()=>{let n=await Pn(e);n.state===`settled`&&t?.(n)}}>
          <span aria-hidden="true">↻ </span>${I(n===`pending`?`outcome.checkAgain`:`outcome.retrySameKey`)}
        </button>`:null}
    ${e.sending?O`<span class="loading small" role="status" data-testid="loading"><span class="spinner" aria-hidden="true"></span>${I(`outcome.sending`)}</span>`:null}
  </div>`}var Rn={live:`good`,connecting:`wait`,reconnecting:`wait`,error:`bad`,closed:`bad`,idle:`info`};function zn({viewer:e}){let t=tn();return M(()=>en(),[t.unread]),O`<div class="screen">
    <div class="screen-head">
      <h1>${I(`nav.notifications`)}</h1>
      <${W} tone=${Rn[t.status]} data-testid="subscription-status" data-status=${t.status}>${L(`live`,t.status)}<//>
    </div>
    <p class="muted">${e?.role===`SALES`?I(`notifications.introLive`):I(`notifications.intro`)}</p>
    ${t.error?O`<${sn}>${t.error}<//>`:null}
    <ol class="events" aria-live="polite" aria-relevant="additions" data-testid="notification-list">
      ${t.items.map(e=>O`<${Bn} event=${e} key=${e.id} />`)}
    </ol>
    ${t.items.length?null:O`<p class="empty">${I(`notifications.none`)}</p>`}
  </div>`}function Bn({event:e,testid:t=`notification-item`}){return O`<li class="event" data-testid=${t} data-type=${e.type} data-event-id=${e.id}>
    <div class="event-head">
      <strong>${L(`event`,e.type)}</strong>
      <code class="small">${e.type}</code>
      <time datetime=${e.occurredAt} class="muted small">${B(e.occurredAt)}</time>
    </div>
    <div class="small">${Vn(e)}</div>
  </li>`}function Vn(e){let t=e.data||{},n=[];for(let e of[`customerName`,`resellerName`,`name`,`customerId`,`voucherId`,`toStage`,`status`,`month`,`kind`,`outcome`])t[e]!=null&&typeof t[e]!=`object`&&n.push(`${e}: ${t[e]}`);for(let e of[`available`,`creditLine`,`threshold`,`faceValue`,`remaining`,`debt`]){let r=t[e];r&&typeof r==`object`&&r.amount!=null&&n.push(`${e}: ${r.amount} ${r.currency||``}`.trim())}return n.length?n.join(` · `):e.subject}var X=`{ amount currency }`,Hn=`query OverviewConsumption($from: String, $to: String) {
  consumption(from: $from, to: $to) {
    totals { amount ${X} source }
    trend { period amount ${X} source }
    byProduct(first: 5) { productCode productName amount ${X} source }
    topCustomers(first: 5) { nativeId amount ${X} source partner { name provider } customer { id name provider } }
    monthOverMonth { month previousMonth current { amount ${X} source } previous { amount ${X} source }
      change { difference ${X} percent source } }
    partners { id name }
  }
}`,Un=`query OverviewProgram {
  partners { nodes { id name provider role program {
    role fiscalYear { start end through } performance ${X} sources incentiveEligible
    rebate { tier rate nextRate nextThreshold ${X} toGo ${X} }
    upgrade { line ${X} reached toGo ${X} }
  } } }
}`,Wn=`query OverviewTier2 {
  resellers(first: 5, filter: { provider: "huaweicloud" }) { totalCount nodes { id name partner { name }
    performance { performance ${X} upgrade { line ${X} reached toGo ${X} } } } }
}`,Gn=`query OverviewPending {
  pendingOperations(first: 10) { totalCount nodes { operationId operation principal partnerAccount startedAt } }
}`;function Kn({viewer:e}){let t=on(0),n=on(11),r=e.role!==`SALES`;return O`<div class="screen">
    <div class="screen-head"><h1>${I(`nav.overview`)}</h1><span class="muted">${I(`overview.range`,{from:n,to:t})}</span></div>
    <${qn} from=${n} to=${t} />
    <div class="grid">
      ${r?O`<${Yn} />`:null}
      ${r?O`<${Xn} />`:null}
      <${Zn} viewer=${e} />
      <${Qn} />
    </div>
  </div>`}function qn({from:e,to:t}){let n=V(Hn,{from:e,to:t},`${e}|${t}`),r=n.data?.consumption;return O`<div data-testid="overview-consumption">
    <${H} errors=${n.errors} error=${n.error} />
    ${n.loading&&!r?O`<${U} label=${I(`overview.loadingConsumption`)} />`:null}
    ${r?O`<div class="stats">
            ${r.monthOverMonth.current.map(e=>{let t=r.monthOverMonth.previous.find(t=>t.source===e.source&&t.amount.currency===e.amount.currency),n=r.monthOverMonth.change.find(t=>t.source===e.source&&t.difference.currency===e.amount.currency),i=n&&!String(n.difference.amount).startsWith(`-`);return O`<div class="stat" data-testid="stat-month" data-source=${e.source}>
                <div class="label">${I(`overview.thisMonth`,{month:r.monthOverMonth.month})} · ${L(`source`,e.source)}</div>
                <div class="value"><${G} value=${e.amount} /></div>
                <div class="sub muted">${I(`overview.lastMonth`,{month:r.monthOverMonth.previousMonth})}: ${z(t?.amount)}</div>
                ${n?O`<div class="sub">${i?`▲`:`▼`} ${z(n.difference)}${n.percent==null?``:` (${n.percent} %)`}
                  <span class="sr-only">${I(i?`overview.up`:`overview.down`)}</span></div>`:null}
              </div>`})}
            ${r.totals.map(n=>O`<div class="stat"><div class="label">${I(`overview.total`)} ${e} – ${t} · ${L(`source`,n.source)}</div><div class="value"><${G} value=${n.amount} /></div></div>`)}
          </div>
          <p class="small muted">${I(`overview.sources`)}</p>
          <${q} title=${I(`overview.trend`)} id="overview-trend">
            <${Cn} points=${r.trend} label=${I(`overview.trend`)} testid="overview-trend-chart" />
          <//>
          <div class="grid">
            <${q} title=${I(`overview.topProducts`)} id="overview-products">
              ${r.byProduct.length?O`<ol class="ranked">${r.byProduct.map(e=>O`<li><span>${e.productName} <span class="muted small">${L(`source`,e.source)}</span></span> <${G} value=${e.amount} /></li>`)}</ol>`:O`<${J} />`}
            <//>
            <${q} title=${I(`overview.topCustomers`)} id="overview-customers">
              ${r.topCustomers.length?O`<ol class="ranked">${r.topCustomers.map(e=>O`<li>
                <span>${e.customer?O`<a href=${Lt(`customers`,e.customer.id)}>${e.customer.name}</a>`:e.nativeId} <${dn} provider=${e.partner.provider} /></span>
                <${G} value=${e.amount} /></li>`)}</ol>`:O`<${J} />`}
            <//>
          </div>`:null}
  </div>`}function Jn({value:e,of:t,label:n}){let r=Math.max(0,Math.min(1,Number(e)/Number(t||1))),i=Math.floor(r*100);return O`<div role="progressbar" aria-label=${n} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${i} aria-valuetext=${`${i} %`} class="progress"><span style=${{width:`${i}%`}}></span></div>`}function Yn(){let e=V(Un,{},`program`),t=Y(e.data?.partners);return O`<${q} title=${I(`overview.program`)} id="overview-program">
    <${H} errors=${e.errors} error=${e.error} />
    ${e.loading?O`<${U} />`:null}
    ${t.map(e=>{let t=e.program;return t?O`<div class="standing" data-testid="program-standing" data-provider=${e.provider}>
        <h3>${e.name} <span class="muted small">(${e.role})</span></h3>
        <p>${I(`overview.performance`,{start:t.fiscalYear.start,through:t.fiscalYear.through})}: <strong><${G} value=${t.performance} /></strong>
          <span class="muted small"> · ${t.sources.map(e=>L(`source`,e)).join(`, `)}</span></p>
        ${t.rebate?O`<p>${t.rebate.tier?I(`overview.tier`,{tier:t.rebate.tier,rate:t.rebate.rate}):I(`overview.belowTiers`)}</p>
              ${t.rebate.nextThreshold?O`<${Jn} value=${t.performance.amount} of=${t.rebate.nextThreshold.amount} label=${I(`overview.toNextTier`)} />
                    <p class="small">${I(`overview.nextTier`,{rate:t.rebate.nextRate,toGo:z(t.rebate.toGo),at:z(t.rebate.nextThreshold)})}</p>`:O`<p class="small">${I(`overview.topTier`)}</p>`}`:null}
        ${t.upgrade?O`<${Jn} value=${t.performance.amount} of=${t.upgrade.line.amount} label=${I(`overview.toLine`,{line:z(t.upgrade.line)})} />
              <p class="small">${t.upgrade.reached?O`<${W} tone="good">${I(`overview.lineReached`,{line:z(t.upgrade.line)})}<//>`:I(`overview.lineToGo`,{line:z(t.upgrade.line),toGo:z(t.upgrade.toGo)})}</p>`:null}
        <p class="small">${t.incentiveEligible?O`<${W} tone="good">${I(`overview.incentives`)}<//>`:O`<${W} tone="warn">${I(`overview.noIncentives`)}<//>`}</p>
      </div>`:null})}
  <//>`}function Xn(){let e=V(Wn,{},`tier2`),t=Y(e.data?.resellers).filter(e=>e.performance?.upgrade);return O`<${q} title=${I(`overview.tier2Line`)} id="overview-tier2">
    <${H} errors=${e.errors} error=${e.error} />
    ${e.loading?O`<${U} />`:null}
    ${!e.loading&&!t.length?O`<${J}>${I(`overview.noTier2`)}<//>`:null}
    <ul class="plain">
      ${t.map(e=>{let t=e.performance.upgrade;return O`<li data-testid="tier2-standing">
          <div class="row"><strong>${e.name}</strong> <${G} value=${e.performance.performance} /> / <${G} value=${t.line} />
            ${t.reached?O`<${W} tone="good">${I(`overview.reached`)}<//>`:O`<span class="small muted">${I(`overview.toGo`,{toGo:z(t.toGo)})}</span>`}</div>
          <${Jn} value=${e.performance.performance.amount} of=${t.line.amount} label=${I(`overview.toLine`,{line:z(t.line)})} />
        </li>`})}
    </ul>
  <//>`}function Zn({viewer:e}){let t=Fn(e=>kn(e)),n=e.role===`ADMIN`,r=V(Gn,{},`pending`,{skip:!n}),i=r.data?.pendingOperations,a=Y(i),o=tn().items.filter(e=>e.type===`operation.settled`).length;return M(()=>{n&&o&&r.reload()},[o]),O`<${q} title=${I(`overview.pending`)} id="overview-pending">
    <p class="small muted">${I(`overview.pendingIntro`)}</p>
    ${t.length?O`<h3>${I(`overview.pendingMine`)}</h3>${t.map(e=>O`<div key=${e.id}><strong>${e.label}</strong> ${e.target?O`<a class="small" href=${Lt(`customers`,e.target)}>${I(`overview.open`)}</a>`:null}<${Ln} action=${e} /></div>`)}`:null}
    ${n?O`<h3>${I(`overview.pendingAll`)}</h3>
          <${H} errors=${r.errors} error=${r.error} />
          ${a.length?O`<ul class="plain" data-testid="pending-operations" data-total=${i.totalCount}>${a.map(e=>O`<li data-testid="pending-operation" data-operation-id=${e.operationId} key=${e.operationId}>
                  <${W} tone="wait">${I(`outcome.pending`)}<//> <code>${e.operation}</code> · ${e.principal} · ${e.partnerAccount} · <span
                    class="muted small">${I(`overview.sentAt`,{at:B(e.startedAt)})}</span></li>`)}</ul>
              ${i.totalCount>a.length?O`<p class="small muted">${I(`overview.morePending`,{n:i.totalCount-a.length})}</p>`:null}`:r.loading?O`<${U} />`:O`<${J}>${I(`overview.noPending`)}<//>`}`:t.length?null:O`<${J}>${I(`overview.noPending`)}<//>`}
  <//>`}function Qn(){let e=tn();return O`<${q} title=${I(`overview.recentEvents`)} id="overview-events" actions=${O`<a href=${Lt(`notifications`)}>${I(`overview.allEvents`)}</a>`}>
    ${e.items.length?O`<ol class="events">${e.items.slice(0,5).map(e=>O`<${Bn} event=${e} key=${e.id} testid="recent-event" />`)}</ol>`:O`<${J}>${I(`notifications.none`)}<//>`}
  <//>`}var $n=`query Customers($first: Int, $after: String, $filter: CustomerFilterInput) {
  capabilities { provider title }
  customers(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id provider nativeId name accountType kind status invitationExpiresAt realNameVerified owner
      balance { amount currency } creditLine { amount currency }
      partner { id name }
    } }
  }
}`,er=[`ASSOCIATED`,`INVITED`,`INVITATION_EXPIRED`,`FROZEN`],tr=[`AGENCY`,`CONSIGNMENT`,`ADVISORY`,`RESALE`],nr=[20,50,100];function rr({viewer:e}){let[t,n]=j({provider:``,status:``,accountType:``,owner:``,search:``}),[r,i]=j(``),[a,o]=j([null]),[s,c]=j(20),l={first:s,after:a[a.length-1],filter:Object.fromEntries(Object.entries(t).filter(([,e])=>e))},u=V($n,l,JSON.stringify(l)),d=e=>r=>{n({...t,[e]:r.currentTarget.value}),o([null])};M(()=>{let e=setTimeout(()=>{r.trim()!==t.search&&(n(e=>({...e,search:r.trim()})),o([null]))},300);return()=>clearTimeout(e)},[r]);let f=u.data?.customers,p=u.data?.capabilities??[];return O`<div class="screen">
    <div class="screen-head">
      <h1>${I(`nav.customers`)}</h1>
      <a class="button primary" href=${Lt(`invite`)}><span aria-hidden="true">＋ </span>${I(`customers.invite`)}</a>
    </div>
    <form class="filters" role="search" aria-label=${I(`customers.filters`)} onSubmit=${e=>e.preventDefault()}>
      <${K} label=${I(`customers.search`)} id="customer-search">
        <input
          id="customer-search"
          data-testid="customer-search"
          type="search"
          value=${r}
          placeholder=${I(`customers.searchHint`)}
          onInput=${e=>i(e.currentTarget.value)}
          onKeyDown=${e=>{e.key===`Enter`&&(n({...t,search:r.trim()}),o([null]))}}
        />
      <//>
      <${K} label=${I(`customers.provider`)} id="filter-provider">
        <select id="filter-provider" data-testid="filter-provider" value=${t.provider} onChange=${d(`provider`)}>
          <option value="">${I(`common.all`)}</option>
          ${p.map(e=>O`<option value=${e.provider}>${L(`provider`,e.provider)}</option>`)}
        </select>
      <//>
      <${K} label=${I(`customers.status`)} id="filter-status">
        <select id="filter-status" data-testid="filter-status" value=${t.status} onChange=${d(`status`)}>
          <option value="">${I(`common.all`)}</option>
          ${er.map(e=>O`<option value=${e}>${L(`status`,e)}</option>`)}
        </select>
      <//>
      <${K} label=${I(`customers.accountType`)} id="filter-type">
        <select id="filter-type" data-testid="filter-account-type" value=${t.accountType} onChange=${d(`accountType`)}>
          <option value="">${I(`common.all`)}</option>
          ${tr.map(e=>O`<option value=${e}>${L(`accountType`,e)}</option>`)}
        </select>
      <//>
      ${e.role===`SALES`?null:O`<${K} label=${I(`customers.owner`)} id="filter-owner">
            <input id="filter-owner" data-testid="filter-owner" value=${t.owner} onChange=${d(`owner`)} />
          <//>`}
    </form>
    <${H} errors=${u.errors} error=${u.error} />
    <div class="table-wrap" aria-busy=${u.loading?`true`:`false`}>
      <table data-testid="customers-table" class="table">
        <caption class="sr-only">${I(`nav.customers`)}</caption>
        <thead>
          <tr>
            <th scope="col">${I(`customers.name`)}</th>
            <th scope="col">${I(`customers.provider`)}</th>
            <th scope="col">${I(`customers.status`)}</th>
            <th scope="col">${I(`customers.accountType`)}</th>
            <th scope="col">${I(`customers.realName`)}</th>
            <th scope="col">${I(`customers.owner`)}</th>
            <th scope="col" class="num">${I(`customers.funds`)}</th>
          </tr>
        </thead>
        <tbody>
          ${(f?.edges??[]).map(({node:e})=>O`<${ir} customer=${e} key=${e.id} />`)}
        </tbody>
      </table>
      ${u.loading?O`<${U} />`:null}
      ${!u.loading&&f&&!f.edges.length?O`<p class="empty">${I(`customers.noneFound`)}</p>`:null}
    </div>
    <div class="pager">
      <span data-testid="customers-total" role="status">${f?I(`customers.total`,{n:f.totalCount}):``}</span>
      <label class="inline">${I(`common.pageSize`)}
        <select value=${s} onChange=${e=>(c(Number(e.currentTarget.value)),o([null]))}>
          ${nr.map(e=>O`<option value=${e}>${e}</option>`)}
        </select>
      </label>
      <button type="button" data-testid="page-prev" disabled=${a.length<2||u.loading} onClick=${()=>o(a.slice(0,-1))}>
        <span aria-hidden="true">← </span>${I(`common.prev`)}
      </button>
      <span>${I(`common.page`,{n:a.length})}</span>
      <button
        type="button"
        data-testid="page-next"
        disabled=${!f?.pageInfo.hasNextPage||u.loading}
        onClick=${()=>o([...a,f.pageInfo.endCursor])}
      >
        ${I(`common.next`)}<span aria-hidden="true"> →</span>
      </button>
    </div>
  </div>`}function ir({customer:e}){let t=e.creditLine?O`<${G} value=${e.balance} /><br /><small class="muted">${I(`customers.creditOf`,{line:``})}<${G} value=${e.creditLine} /></small>`:O`<${G} value=${e.balance} />`;return O`<tr data-testid="customer-row" data-provider=${e.provider} data-customer-id=${e.id} data-status=${e.status}>
    <th scope="row">
      <a href=${Lt(`customers`,e.id)}>${e.name}</a>
      <div class="muted small">${e.partner.name} · ${e.nativeId}</div>
    </th>
    <td><${dn} provider=${e.provider} /></td>
    <td>
      <${ln} status=${e.status} />
      ${e.invitationExpiresAt?O`<div class="small muted">${I(`customers.expires`,{at:B(e.invitationExpiresAt)})}</div>`:null}
    </td>
    <td>${L(`accountType`,e.accountType)}</td>
    <td>${e.realNameVerified==null?`—`:e.realNameVerified?O`<span><span aria-hidden="true">✓ </span>${I(`common.yes`)}</span>`:O`<span><span aria-hidden="true">✕ </span>${I(`common.no`)}</span>`}</td>
    <td>${e.owner||`—`}</td>
    <td class="num">${t}</td>
  </tr>`}var ar=`
  __typename
  ... on MutationError { message code }
  ... on RuleViolationError { reason field }
  ... on InvalidInputError { field }
  ... on UpstreamError { reason retryable pending operationId requestId upstreamCode }
`,or=`operation { operationId replayed reconciled requestId upstreamIds }`;function Z({name:e,title:t,kind:n,target:r,mutation:i,field:a,fields:o,build:s,submitLabel:c,onSettled:l,intro:u,initial:d={}}){let[f,p]=j(()=>Object.fromEntries(o.map(e=>[e.id,d[e.id]??e.initial??``]))),[m,h]=j(null),[g,_]=j(null),[v]=Fn(e=>e.id===m),y=async c=>{c.preventDefault();for(let t of o){if(t.required!==!1&&t.type!==`checkbox`&&!String(f[t.id]).trim()){_(I(`form.required`,{field:t.label})),document.getElementById(`${e}-${t.id}`)?.focus();return}if(t.type===`money`&&!/^\d+(\.\d{1,2})?$/.test(String(f[t.id]).trim())){_(I(`form.amount`,{field:t.label})),document.getElementById(`${e}-${t.id}`)?.focus();return}}_(null);let u=Nn({kind:n,target:r,label:t,mutation:i,field:a,variables:s(f)});h(u.id);let d=await Pn(u);d.state===`settled`&&l?.(d)},b=!!v?.sending;return O`<form class="stack write-form" onSubmit=${y} aria-labelledby=${`${e}-title`} data-testid=${`${e}-form`}>
    <h3 id=${`${e}-title`}>${t}</h3>
    ${u?O`<p class="small muted">${u}</p>`:null}
    ${o.map(t=>O`<${sr} name=${e} field=${t} value=${f[t.id]} onChange=${e=>p({...f,[t.id]:e})} />`)}
    ${g?O`<${sn}>${g}<//>`:null}
    <div class="actions">
      <button type="submit" class="primary" data-testid=${`${e}-submit`} disabled=${b}>${c||I(`common.submit`)}</button>
    </div>
    <${Ln} action=${v} onSettled=${l} />
  </form>`}function sr({name:e,field:t,value:n,onChange:r}){let i=`${e}-${t.id}`,a={id:i,"data-testid":i,"aria-describedby":t.hint?`${i}-hint`:void 0},o;if(t.type===`select`)o=O`<select ...${a} value=${n} onChange=${e=>r(e.currentTarget.value)}>
      ${t.placeholder?O`<option value="">${t.placeholder}</option>`:null}
      ${t.options.map(e=>O`<option value=${e.value}>${e.label}</option>`)}
    </select>`;else if(t.type===`textarea`)o=O`<textarea ...${a} value=${n} onInput=${e=>r(e.currentTarget.value)}></textarea>`;else if(t.type===`checkbox`)return O`<div class="field"><label class="inline"><input type="checkbox" ...${a} checked=${!!n} onChange=${e=>r(e.currentTarget.checked)} /> ${t.label}</label></div>`;else o=O`<input
      ...${a}
      type=${t.type===`number`?`number`:t.type===`email`?`email`:t.type===`tel`?`tel`:`text`}
      inputmode=${t.type===`money`?`decimal`:void 0}
      autocomplete="off"
      value=${n}
      onInput=${e=>r(e.currentTarget.value)}
    />`;return O`<div class="field">
    <label for=${i}>${t.label}${t.type===`money`?O` <span class="muted">(${t.currency||`CNY`})</span>`:null}</label>
    ${o}
    ${t.hint?O`<small id=${`${i}-hint`} class="hint">${t.hint}</small>`:null}
  </div>`}var Q=`amount currency`,cr=`query Customer($id: ID!) {
  node(id: $id) { ... on Customer {
    id provider nativeId name accountType kind status invitationExpiresAt invitationId realNameVerified owner associatedAt
    email phone newCustomerTag
    partner { id name provider role capabilities }
    funds { available { ${Q} } debt { ${Q} } creditLine { ${Q} }
      controls { warningThreshold newPurchasesBanned shutdownPolicy payAsYouGoFrozen } }
    vouchers { id nativeId faceValue { ${Q} } remaining { ${Q} } status issuedAt validUntil sourceId }
    orders(first: 10) { totalCount nodes { id nativeId status orderType productCode productName amountDue { ${Q} } createdAt paidAt } }
    notes(first: 10) { totalCount nodes { nativeId content contactName creator createdAt } }
    creditHistory(first: 5) { nodes { kind occurredAt description before after amount { ${Q} } operator } }
  } }
}`,lr=`query CustomerConsumption($id: ID!, $from: String, $to: String) {
  node(id: $id) { ... on Customer { id consumption(from: $from, to: $to) {
    totals { amount { ${Q} } source }
    trend { period amount { ${Q} } source }
    byProduct(first: 5) { productCode productName amount { ${Q} } source }
    monthOverMonth { month previousMonth current { amount { ${Q} } source } previous { amount { ${Q} } source } }
  } } }
}`,ur=`query VoucherSources($partner: ID!) {
  node(id: $partner) { ... on Partner { id provider
    voucherTemplates(first: 50) { nodes { nativeId name status faceValue { ${Q} } } }
    voucherQuotas(first: 50) { nodes { nativeId total { ${Q} } remaining { ${Q} } status } }
  } }
}`,dr=(e,t,n)=>`mutation ${e[0].toUpperCase()}${e.slice(1)}(${n}, $idempotencyKey: String!) {
  ${e}(${t}, idempotencyKey: $idempotencyKey) { ${ar}
    ... on CustomerPayload { ${or} customer { id status balance { ${Q} } } }
  }
}`,fr=e=>dr(e,`customerId: $customerId, amount: $amount`,`$customerId: ID!, $amount: MoneyInput!`),pr={transferFunds:fr(`transferFunds`),reclaimFunds:fr(`reclaimFunds`),setCreditLine:fr(`setCreditLine`),setWarningThreshold:dr(`setWarningThreshold`,`customerId: $customerId, percent: $percent`,`$customerId: ID!, $percent: Int!`),setNewPurchaseBan:dr(`setNewPurchaseBan`,`customerId: $customerId, banned: $banned`,`$customerId: ID!, $banned: Boolean!`),setShutdownPolicy:dr(`setShutdownPolicy`,`customerId: $customerId, policy: $policy`,`$customerId: ID!, $policy: ShutdownPolicy!`),setCustomerFrozen:dr(`setCustomerFrozen`,`customerId: $customerId, frozen: $frozen`,`$customerId: ID!, $frozen: Boolean!`),addNote:dr(`addNote`,`customerId: $customerId, input: $input`,`$customerId: ID!, $input: NoteInput!`),resendInvitation:dr(`resendInvitation`,`partnerId: $partnerId, invitationId: $invitationId`,`$partnerId: ID!, $invitationId: String!`),issueVoucher:`mutation IssueVoucher($customerId: ID!, $input: IssueVoucherInput!, $idempotencyKey: String!) {
    issueVoucher(customerId: $customerId, input: $input, idempotencyKey: $idempotencyKey) { ${ar}
      ... on VoucherPayload { ${or} vouchers { id nativeId } } } }`,reclaimVoucher:`mutation ReclaimVoucher($voucherId: ID!, $idempotencyKey: String!) {
    reclaimVoucher(voucherId: $voucherId, idempotencyKey: $idempotencyKey) { ${ar}
      ... on VoucherPayload { ${or} vouchers { id nativeId status } } } }`},mr=e=>e?.filter(e=>e.extensions?.code!==`UNSUPPORTED_BY_PROVIDER`);function hr({id:e,viewer:t}){let n=V(cr,{id:e},e),r=n.data?.node;return n.loading&&!r?O`<div class="screen"><${U} /></div>`:r?O`<div class="screen" data-testid="customer-detail" data-customer-id=${r.id} data-provider=${r.provider}>
    <p><a href=${Lt(`customers`)}><span aria-hidden="true">← </span>${I(`nav.customers`)}</a></p>
    <div class="screen-head">
      <h1>${r.name}</h1>
      <div class="row"><${dn} provider=${r.provider} /> <${ln} status=${r.status} /></div>
    </div>
    <${H} errors=${mr(n.errors)} error=${n.error} />
    <div class="grid">
      <${gr} c=${r} />
      <${_r} c=${r} />
    </div>
    <${vr} target=${r.id} onSettled=${n.reload} />
    <${yr} c=${r} viewer=${t} onSettled=${n.reload} />
    <${xr} id=${r.id} />
    <div class="grid">
      <${Sr} c=${r} />
      <${Cr} c=${r} viewer=${t} onSettled=${n.reload} />
    </div>
    <div class="grid">
      <${wr} c=${r} onSettled=${n.reload} />
      ${r.provider===`aliyun`?O`<${Tr} c=${r} />`:null}
    </div>
  </div>`:O`<div class="screen">
      <p><a href=${Lt(`customers`)}>← ${I(`nav.customers`)}</a></p>
      <${H} errors=${mr(n.errors)} error=${n.error} />
      ${n.error||mr(n.errors)?.length?null:O`<${sn} tone="warn">${I(`customer.notFound`)}<//>`}
    </div>`}function gr({c:e}){return O`<${q} title=${I(`customer.facts`)} id="customer-facts">
    <dl class="facts">
      <dt>${I(`customer.nativeId`)}</dt><dd><code>${e.nativeId}</code></dd>
      <dt>${I(`common.partner`)}</dt><dd>${e.partner.name} <span class="muted small">(${e.partner.role})</span></dd>
      <dt>${I(`customers.accountType`)}</dt><dd>${L(`accountType`,e.accountType)}</dd>
      <dt>${I(`customer.kind`)}</dt><dd>${L(`kind`,e.kind)}</dd>
      <dt>${I(`customers.realName`)}</dt><dd>${e.realNameVerified==null?`—`:e.realNameVerified?`✓ ${I(`common.yes`)}`:`✕ ${I(`common.no`)}`}</dd>
      <dt>${I(`customers.owner`)}</dt><dd>${e.owner||`—`}</dd>
      <dt>${I(`customer.associatedAt`)}</dt><dd>${B(e.associatedAt)}</dd>
      ${e.invitationExpiresAt?O`<dt>${I(`customer.invitationExpires`)}</dt><dd>${B(e.invitationExpiresAt)}</dd>`:null}
      <dt>${I(`customer.email`)}</dt><dd>${e.email||`—`}</dd>
      <dt>${I(`customer.phone`)}</dt><dd>${e.phone||`—`}</dd>
      ${e.provider===`huaweicloud`?O`<dt>${I(`customer.newTag`)}</dt><dd>${L(`newTag`,e.newCustomerTag)}</dd>`:null}
    </dl>
  <//>`}function _r({c:e}){let t=e.funds,n=t?.controls;return O`<${q} title=${I(`customer.funds`)} id="customer-funds">
    ${t?O`<dl class="facts" data-testid="customer-funds">
          <dt>${e.provider===`aliyun`?I(`customer.availableCredit`):I(`customer.balance`)}</dt>
          <dd data-testid="customer-balance" data-amount=${t.available.amount}><${G} value=${t.available} /></dd>
          ${t.creditLine?O`<dt>${I(`customer.creditLine`)}</dt><dd data-testid="customer-credit-line"><${G} value=${t.creditLine} /></dd>`:null}
          ${t.debt?O`<dt>${I(`customer.debt`)}</dt><dd><${G} value=${t.debt} /></dd>`:null}
        </dl>
        ${n?O`<h3>${I(`customer.controls`)}</h3>
              <dl class="facts">
                <dt>${I(`customer.warningThreshold`)}</dt><dd>${n.warningThreshold==null?`—`:`${n.warningThreshold} %`}</dd>
                <dt>${I(`customer.newPurchases`)}</dt><dd>${n.newPurchasesBanned==null?`—`:n.newPurchasesBanned?O`<${W} tone="bad">${I(`customer.banned`)}<//>`:O`<${W} tone="good">${I(`customer.allowed`)}<//>`}</dd>
                <dt>${I(`customer.shutdownPolicy`)}</dt><dd>${L(`shutdown`,n.shutdownPolicy)}</dd>
                <dt>${I(`customer.paygFrozen`)}</dt><dd>${n.payAsYouGoFrozen==null?`—`:n.payAsYouGoFrozen?O`<${W} tone="bad">${I(`status.FROZEN`)}<//>`:O`<${W} tone="good">${I(`customer.notFrozen`)}<//>`}</dd>
              </dl>`:null}`:O`<p class="muted">${I(`customer.noFunds`)}</p>`}
  <//>`}function vr({target:e,onSettled:t}){let n=Fn(t=>t.target===e&&kn(t)&&!t.sending);return n.length?O`<${q} title=${I(`customer.openActions`)} id="open-actions">
    ${n.map(e=>O`<div key=${e.id}><strong>${e.label}</strong><${Ln} action=${e} onSettled=${t} /></div>`)}
  <//>`:null}function yr({c:e,viewer:t,onSettled:n}){let[r,i]=j(null),a=new Set(e.partner.capabilities),o=t.movesMoney,s=[];o&&a.has(`TRANSFER_FUNDS`)&&e.accountType===`RESALE`&&s.push(`transfer`,`reclaim`),o&&a.has(`SET_CREDIT_LINE`)&&e.accountType===`CONSIGNMENT`&&s.push(`credit-line`),o&&a.has(`CREDIT_CONTROLS`)&&e.funds?.controls&&s.push(`warning-threshold`,`purchase-ban`,`shutdown-policy`),o&&a.has(`FREEZE_CUSTOMER`)&&e.status!==`INVITED`&&e.status!==`INVITATION_EXPIRED`&&s.push(`freeze`),o&&a.has(`ISSUE_VOUCHER`)&&e.status===`ASSOCIATED`&&s.push(`voucher`),a.has(`RESEND_INVITATION`)&&e.invitationId&&(e.status===`INVITED`||e.status===`INVITATION_EXPIRED`)&&s.push(`resend`),a.has(`ADD_NOTE`)&&s.push(`note`);let c={target:e.id,onSettled:()=>n()},l=(e=`amount`)=>[{id:e,label:I(`common.amount`),type:`money`}],u=t=>({customerId:e.id,amount:{amount:t.amount.trim(),currency:`CNY`}}),d={transfer:()=>O`<${Z} name="transfer" kind="transferFunds" title=${I(`action.transfer`)} intro=${I(`action.transferIntro`)}
      mutation=${pr.transferFunds} field="transferFunds" fields=${l()} build=${u} ...${c} />`,reclaim:()=>O`<${Z} name="reclaim" kind="reclaimFunds" title=${I(`action.reclaim`)} intro=${I(`action.reclaimIntro`)}
      mutation=${pr.reclaimFunds} field="reclaimFunds" fields=${l()} build=${u} ...${c} />`,"credit-line":()=>O`<${Z} name="credit-line" kind="setCreditLine" title=${I(`action.creditLine`)}
      mutation=${pr.setCreditLine} field="setCreditLine" fields=${l()} build=${u} ...${c}
      initial=${{amount:e.funds?.creditLine?.amount??``}} />`,"warning-threshold":()=>O`<${Z} name="warning-threshold" kind="setWarningThreshold" title=${I(`action.warningThreshold`)}
      mutation=${pr.setWarningThreshold} field="setWarningThreshold" ...${c}
      fields=${[{id:`percent`,label:I(`customer.warningThreshold`),type:`number`,hint:`1–100 %`}]}
      initial=${{percent:e.funds?.controls?.warningThreshold??``}}
      build=${t=>({customerId:e.id,percent:Number(t.percent)})} />`,"purchase-ban":()=>O`<${Z} name="purchase-ban" kind="setNewPurchaseBan" title=${I(`action.purchaseBan`)}
      mutation=${pr.setNewPurchaseBan} field="setNewPurchaseBan" ...${c}
      fields=${[{id:`banned`,label:I(`customer.newPurchases`),type:`select`,options:[{value:`true`,label:I(`customer.banned`)},{value:`false`,label:I(`customer.allowed`)}]}]}
      initial=${{banned:String(!!e.funds?.controls?.newPurchasesBanned)}}
      build=${t=>({customerId:e.id,banned:t.banned===`true`})} />`,"shutdown-policy":()=>O`<${Z} name="shutdown-policy" kind="setShutdownPolicy" title=${I(`action.shutdownPolicy`)}
      mutation=${pr.setShutdownPolicy} field="setShutdownPolicy" ...${c}
      fields=${[{id:`policy`,label:I(`customer.shutdownPolicy`),type:`select`,options:[`DELAY_STOP`,`NO_STOP`,`IMMEDIATE_STOP`].map(e=>({value:e,label:L(`shutdown`,e)}))}]}
      initial=${{policy:e.funds?.controls?.shutdownPolicy??`DELAY_STOP`}}
      build=${t=>({customerId:e.id,policy:t.policy})} />`,freeze:()=>{let t=e.status===`FROZEN`||e.funds?.controls?.payAsYouGoFrozen;return O`<${Z} name="freeze" kind="setCustomerFrozen" title=${I(t?`action.thaw`:`action.freeze`)}
        intro=${I(t?`action.thawIntro`:`action.freezeIntro`)}
        mutation=${pr.setCustomerFrozen} field="setCustomerFrozen" fields=${[]} ...${c}
        submitLabel=${I(t?`action.thaw`:`action.freeze`)}
        build=${()=>({customerId:e.id,frozen:!t})} />`},voucher:()=>O`<${br} c=${e} common=${c} />`,resend:()=>O`<${Z} name="resend" kind="resendInvitation" title=${I(`action.resend`)} intro=${I(`action.resendIntro`)}
      mutation=${pr.resendInvitation} field="resendInvitation" fields=${[]} ...${c} submitLabel=${I(`action.resend`)}
      build=${()=>({partnerId:e.partner.id,invitationId:e.invitationId})} />`,note:()=>O`<${Z} name="note" kind="addNote" title=${I(`action.note`)} mutation=${pr.addNote} field="addNote" ...${c}
      fields=${[{id:`content`,label:I(`customer.noteContent`),type:`textarea`},{id:`contactName`,label:I(`customer.noteContact`),type:`text`,required:!1}]}
      build=${t=>({customerId:e.id,input:{content:t.content.trim(),...t.contactName.trim()?{contactName:t.contactName.trim()}:{}}})} />`};return O`<${q} title=${I(`customer.actions`)} id="customer-actions">
    ${o?null:O`<p class="small muted" data-testid="no-money-actions"><span aria-hidden="true">⊘ </span>${I(`customer.noMoney`)}</p>`}
    ${o&&!s.some(e=>[`transfer`,`credit-line`].includes(e))?O`<p class="small muted">${e.provider===`huaweicloud`?I(`customer.resaleOnly`):I(`customer.consignmentOnly`)}</p>`:null}
    <div class="actions" role="group" aria-label=${I(`customer.actions`)}>
      ${s.map(e=>O`<button type="button" data-testid=${`action-${e}`} aria-expanded=${r===e?`true`:`false`}
          aria-controls="action-panel" class=${r===e?`primary`:``} onClick=${()=>i(r===e?null:e)}>
          ${I(`actionButton.${e}`)}
        </button>`)}
    </div>
    <div id="action-panel">${r&&d[r]?d[r]():null}</div>
  <//>`}function br({c:e,common:t}){let n=V(ur,{partner:e.partner.id},e.partner.id),r=n.data?.node;if(n.loading)return O`<${U} />`;let i=e.provider===`aliyun`,a=Y(r?.voucherTemplates).filter(e=>e.status===`APPROVED`),o=Y(r?.voucherQuotas).filter(e=>e.status===`ACTIVE`),s=i?[{id:`source`,label:I(`voucher.template`),type:`select`,placeholder:I(`form.choose`),options:a.map(e=>({value:e.nativeId,label:`${e.name} · ${z(e.faceValue)}`}))}]:[{id:`source`,label:I(`voucher.quota`),type:`select`,placeholder:I(`form.choose`),options:o.map(e=>({value:e.nativeId,label:`${e.nativeId} · ${I(`voucher.remaining`)} ${z(e.remaining)}`}))},{id:`faceValue`,label:I(`voucher.faceValue`),type:`money`}];return O`<div>
    <${H} errors=${mr(n.errors)} error=${n.error} />
    <${Z} name="voucher" kind="issueVoucher" title=${I(`action.voucher`)} mutation=${pr.issueVoucher} field="issueVoucher"
      fields=${s} ...${t}
      build=${t=>({customerId:e.id,input:i?{templateId:t.source}:{quotaId:t.source,faceValue:{amount:t.faceValue.trim(),currency:`CNY`}}})} />
  </div>`}function xr({id:e}){let t=on(0),n=on(11),r=V(lr,{id:e,from:n,to:t},`${e}|${n}`),i=r.data?.node?.consumption;return O`<${q} title=${I(`customer.consumption`,{from:n,to:t})} id="customer-consumption">
    <${H} errors=${mr(r.errors)} error=${r.error} />
    ${r.loading?O`<${U} />`:null}
    ${i?O`<div class="row small">
            ${i.totals.map(e=>O`<span><span class="muted">${I(`overview.total`)} (${L(`source`,e.source)}):</span> <${G} value=${e.amount} /></span>`)}
          </div>
          <${Cn} points=${i.trend} label=${I(`customer.consumptionChart`)} kind="bar" testid="customer-consumption-chart" />
          ${i.byProduct.length?O`<h3>${I(`overview.topProducts`)}</h3>
            <ul>${i.byProduct.map(e=>O`<li>${e.productName} <span class="muted small">(${e.productCode}, ${L(`source`,e.source)})</span> <${G} value=${e.amount} /></li>`)}</ul>`:null}`:r.loading?null:O`<p class="muted">${I(`customer.noConsumption`)}</p>`}
  <//>`}function Sr({c:e}){let t=Y(e.orders);return O`<${q} title=${I(`customer.orders`,{n:e.orders?.totalCount??0})} id="customer-orders">
    ${e.orders==null?O`<p class="muted">${I(`customer.unsupported`)}</p>`:t.length?O`<div class="table-wrap"><table class="table" data-testid="orders-table">
      <thead><tr><th scope="col">${I(`order.product`)}</th><th scope="col">${I(`order.type`)}</th><th scope="col">${I(`common.status`)}</th><th scope="col" class="num">${I(`order.amount`)}</th><th scope="col">${I(`order.created`)}</th></tr></thead>
      <tbody>${t.map(e=>O`<tr><th scope="row">${e.productName||e.productCode||e.nativeId}</th><td>${L(`orderType`,e.orderType)}</td><td>${L(`orderStatus`,e.status)}</td><td class="num"><${G} value=${e.amountDue} /></td><td>${an(e.createdAt)}</td></tr>`)}</tbody>
    </table></div>`:O`<${J} />`}
  <//>`}function Cr({c:e,viewer:t,onSettled:n}){let r=e.vouchers??[],[i,a]=j(null),o=t.movesMoney&&e.partner.capabilities.includes(`RECLAIM_VOUCHER`);return O`<${q} title=${I(`customer.vouchers`,{n:r.length})} id="customer-vouchers">
    ${e.vouchers==null?O`<p class="muted">${I(`customer.unsupported`)}</p>`:r.length?O`<div class="table-wrap"><table class="table" data-testid="vouchers-table">
      <thead><tr><th scope="col">${I(`voucher.id`)}</th><th scope="col" class="num">${I(`voucher.faceValue`)}</th><th scope="col" class="num">${I(`voucher.remaining`)}</th><th scope="col">${I(`common.status`)}</th><th scope="col">${I(`voucher.validUntil`)}</th>${o?O`<th scope="col"><span class="sr-only">${I(`action.reclaimVoucher`)}</span></th>`:null}</tr></thead>
      <tbody>${r.map(e=>O`<tr data-testid="voucher-row" data-voucher-id=${e.id}>
        <th scope="row"><code>${e.nativeId}</code></th><td class="num"><${G} value=${e.faceValue} /></td><td class="num"><${G} value=${e.remaining} /></td>
        <td>${L(`voucherStatus`,e.status)}</td><td>${an(e.validUntil)}</td>
        ${o?O`<td>${e.status===`AVAILABLE`||e.status===`NOT_ACTIVATED`?O`<button type="button" class="danger" data-testid="action-reclaim-voucher" onClick=${()=>a(e)}>${I(`action.reclaimVoucher`)}</button>`:null}</td>`:null}
      </tr>`)}</tbody>
    </table></div>`:O`<${J} />`}
    ${i?O`<${Z} key=${i.id} name="reclaim-voucher" kind="reclaimVoucher" target=${e.id}
        title=${I(`action.reclaimVoucherOf`,{id:i.nativeId})} mutation=${pr.reclaimVoucher} field="reclaimVoucher"
        fields=${[]} submitLabel=${I(`action.reclaimVoucher`)} onSettled=${n} build=${()=>({voucherId:i.id})} />`:null}
  <//>`}function wr({c:e}){let t=Y(e.notes);return O`<${q} title=${I(`customer.notes`,{n:e.notes?.totalCount??0})} id="customer-notes">
    ${e.notes==null?O`<p class="muted">${I(`customer.unsupported`)}</p>`:t.length?O`<ul class="events">${t.map(e=>O`<li class="event">
      <div class="event-head"><strong>${e.contactName||e.creator||`—`}</strong><time class="muted small">${B(e.createdAt)}</time></div>
      <div>${e.content}</div></li>`)}</ul>`:O`<${J} />`}
  <//>`}function Tr({c:e}){let t=Y(e.creditHistory);return O`<${q} title=${I(`customer.creditHistory`)} id="customer-credit-history">
    ${t.length?O`<ul class="events">${t.map(e=>O`<li class="event">
      <div class="event-head"><strong>${e.description||e.kind}</strong><time class="muted small">${B(e.occurredAt)}</time></div>
      <div class="small">${e.before??`—`} → ${e.after??`—`} ${e.amount?O`· <${G} value=${e.amount} />`:null} ${e.operator?O`· ${e.operator}`:null}</div></li>`)}</ul>`:O`<${J} />`}
  <//>`}var Er=`query InvitePartners { partners { nodes { id name provider role capabilities } } }`,Dr=`mutation CreateCustomer($input: CreateCustomerInput!, $idempotencyKey: String!) {
  createCustomer(input: $input, idempotencyKey: $idempotencyKey) { ${ar}
    ... on CreateCustomerPayload { ${or} customerId invitationId registrationUrl
      customer { id name status invitationExpiresAt } } } }`,Or=`mutation SendCode($partnerId: ID!, $phone: String!, $idempotencyKey: String!) {
  sendVerificationCode(partnerId: $partnerId, phone: $phone, idempotencyKey: $idempotencyKey) { ${ar}
    ... on CustomerPayload { ${or} } } }`,kr=72,Ar={aliyun:[`AGENCY`,`CONSIGNMENT`],huaweicloud:[`RESALE`,`ADVISORY`]};function jr({viewer:e}){let t=V(Er,{},`partners`),n=Y(t.data?.partners).filter(e=>e.capabilities.includes(`CREATE_CUSTOMER`)),[r,i]=j(``),a=n.find(e=>e.id===r)??n[0];return t.loading?O`<div class="screen"><${U} /></div>`:O`<div class="screen">
    <h1>${I(`nav.invite`)}</h1>
    <${H} errors=${t.errors} error=${t.error} />
    <div class="card narrow">
      <${K} label=${I(`common.partner`)} id="invite-partner">
        <select id="invite-partner" data-testid="invite-partner" value=${a?.id} onChange=${e=>i(e.currentTarget.value)}>
          ${n.map(e=>O`<option value=${e.id}>${e.name} (${L(`provider`,e.provider)})</option>`)}
        </select>
      <//>
      ${a?O`<${Mr} key=${a.id} partner=${a} viewer=${e} />`:O`<p class="muted">${I(`invite.none`)}</p>`}
    </div>
  </div>`}function Mr({partner:e,viewer:t}){let n=e.provider===`aliyun`,[r,i]=j({name:``,accountType:Ar[e.provider]?.[0]??`AGENCY`,kind:`ENTERPRISE`,email:``,phone:``,verificationCode:``,accountName:``,owner:``,creditLine:``}),[a,o]=j(null),[s,c]=j(null),[l,u]=j(null),[d]=Fn(e=>e.id===a),[f]=Fn(e=>e.id===s),p=e=>t=>i({...r,[e]:t.currentTarget.value}),m=(e,t,n={})=>O`<${K} label=${t} id=${`invite-${e}`} hint=${n.hint}>
    <input id=${`invite-${e}`} data-testid=${`invite-${e}`} value=${r[e]} onInput=${p(e)} autocomplete="off"
      aria-describedby=${n.hint?`invite-${e}-hint`:void 0} type=${n.type||`text`} />
  <//>`,h=async()=>{if(!/^\+?\d{6,15}$/.test(r.phone.trim())){u(I(`invite.phoneInvalid`));return}u(null);let t=Nn({kind:`sendVerificationCode`,target:`phone:${r.phone.trim()}`,label:I(`invite.sendCode`),mutation:Or,field:`sendVerificationCode`,variables:{partnerId:e.id,phone:r.phone.trim()}});c(t.id),await Pn(t)},g=async i=>{i.preventDefault();let a=[[`name`,I(`invite.name`)],...n?[[`email`,I(`customer.email`)]]:[[`accountName`,I(`invite.accountName`)]]].find(([e])=>!r[e].trim());if(a){u(I(`form.required`,{field:a[1]})),document.getElementById(`invite-${a[0]}`)?.focus();return}if(!n&&r.phone.trim()&&!r.verificationCode.trim()){u(I(`invite.codeNeeded`)),document.getElementById(`invite-verificationCode`)?.focus();return}u(null);let s={partnerId:e.id,name:r.name.trim(),accountType:r.accountType,kind:r.kind};r.email.trim()&&(s.email=r.email.trim()),r.phone.trim()&&(s.phone=r.phone.trim()),!n&&r.verificationCode.trim()&&(s.verificationCode=r.verificationCode.trim()),n||(s.accountName=r.accountName.trim()),r.owner.trim()&&t.role!==`SALES`&&(s.owner=r.owner.trim()),n&&r.accountType===`CONSIGNMENT`&&r.creditLine.trim()&&(s.creditLine={amount:r.creditLine.trim(),currency:`CNY`});let c=Nn({kind:`createCustomer`,target:`new:${e.id}`,label:I(n?`invite.invite`:`invite.create`),mutation:Dr,field:`createCustomer`,variables:{input:s}});o(c.id),await Pn(c)},_=d?.state===`settled`?d.outcome.result:null;return O`<form class="stack" onSubmit=${g} data-testid="invite-form" data-provider=${e.provider}>
    <p class="alert alert-info">${n?I(`invite.aliyunIntro`,{hours:kr}):I(`invite.huaweiIntro`)}</p>
    ${m(`name`,I(`invite.name`))}
    <${K} label=${I(`customers.accountType`)} id="invite-accountType">
      <select id="invite-accountType" data-testid="invite-accountType" value=${r.accountType} onChange=${p(`accountType`)}>
        ${(Ar[e.provider]??[]).map(e=>O`<option value=${e}>${L(`accountType`,e)}</option>`)}
      </select>
    <//>
    <${K} label=${I(`customer.kind`)} id="invite-kind">
      <select id="invite-kind" data-testid="invite-kind" value=${r.kind} onChange=${p(`kind`)}>
        ${[`ENTERPRISE`,`INDIVIDUAL`].map(e=>O`<option value=${e}>${L(`kind`,e)}</option>`)}
      </select>
    <//>
    ${m(`email`,n?I(`customer.email`):`${I(`customer.email`)} (${I(`form.optional`)})`,{type:`email`,hint:n?I(`invite.emailHint`):null})}
    ${n?null:m(`accountName`,I(`invite.accountName`),{hint:I(`invite.accountNameHint`)})}
    ${n?m(`phone`,`${I(`customer.phone`)} (${I(`form.optional`)})`,{type:`tel`}):O`<div class="row">
          ${m(`phone`,`${I(`customer.phone`)} (${I(`form.optional`)})`,{type:`tel`,hint:I(`invite.phoneHint`)})}
          <button type="button" data-testid="invite-send-code" onClick=${h} disabled=${f?.sending}>${I(`invite.sendCode`)}</button>
        </div>
        ${f?O`<${Ln} action=${f} />`:null}
        ${m(`verificationCode`,I(`invite.code`),{hint:I(`invite.codeHint`)})}`}
    ${n&&r.accountType===`CONSIGNMENT`?m(`creditLine`,`${I(`customer.creditLine`)} (CNY, ${I(`form.optional`)})`):null}
    ${t.role===`SALES`?O`<p class="small muted">${I(`invite.ownerSelf`,{owner:t.owner})}</p>`:m(`owner`,`${I(`customers.owner`)} (${I(`form.optional`)})`)}
    ${l?O`<${sn}>${l}<//>`:null}
    <div class="actions"><button type="submit" class="primary" data-testid="invite-submit" disabled=${d?.sending}>${I(n?`invite.invite`:`invite.create`)}</button></div>
    <${Ln} action=${d} />
    ${_?O`<div class="alert alert-good" data-testid="invite-result">
        ${_.registrationUrl?O`<p>${I(`invite.sent`)}</p>
              <p><span class="muted">${I(`invite.link`)}:</span> <code data-testid="invite-link">${_.registrationUrl}</code></p>
              <p data-testid="invite-expires"><strong><span aria-hidden="true">◔ </span>${_.customer?.invitationExpiresAt?I(`invite.expires`,{hours:kr,at:B(_.customer.invitationExpiresAt)}):I(`invite.expiresIn`,{hours:kr})}</strong></p>`:O`<p>${I(`invite.created`,{id:_.customerId})}</p>`}
        ${_.customer?O`<p><a href=${Lt(`customers`,_.customer.id)}>${I(`invite.open`)}</a></p>`:null}
      </div>`:null}
  </form>`}var $=`{ amount currency }`,Nr=`query Resellers($first: Int, $after: String, $filter: ResellerFilterInput) {
  resellers(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id provider nativeId name accountName owner associatedAt
      partner { id name provider role capabilities }
      funds { available ${$} debt ${$} creditLine ${$} }
      voucherQuotas(first: 5) { nodes { id nativeId total ${$} remaining ${$} status validUntil } }
    } }
  }
  partners { nodes { id name provider capabilities } }
}`,Pr=`query Reseller($id: ID!) { node(id: $id) { ... on Reseller { id
  fundMovements(first: 5) { nodes { nativeId kind amount ${$} occurredAt balanceAfter ${$} } }
  quotaMovements(first: 5) { nodes { nativeId kind amount ${$} succeeded occurredAt quotaId } }
  partner { id voucherQuotas(first: 20) { nodes { nativeId total ${$} remaining ${$} status } } }
} } }`,Fr=`query ResellerStanding($id: ID!) { node(id: $id) { ... on Reseller { id performance {
  role performance ${$} sources incentiveEligible
  rebate { tier rate nextRate toGo ${$} } upgrade { line ${$} reached toGo ${$} } } } } }`,Ir=(e,t,n)=>`mutation ${e[0].toUpperCase()}${e.slice(1)}(${n}, $idempotencyKey: String!) {
  ${e}(${t}, idempotencyKey: $idempotencyKey) { ${ar}
    ... on ResellerPayload { ${or} reseller { id funds { available ${$} } } } } }`,Lr=[`resellerId: $resellerId, amount: $amount`,`$resellerId: ID!, $amount: MoneyInput!`],Rr={allocate:Ir(`allocateResellerFunds`,...Lr),reclaim:Ir(`reclaimResellerFunds`,...Lr),grant:Ir(`grantVoucherQuota`,`resellerId: $resellerId, parentQuotaId: $parentQuotaId, amount: $amount`,`$resellerId: ID!, $parentQuotaId: String!, $amount: MoneyInput!`),reclaimQuota:Ir(`reclaimVoucherQuota`,`partnerId: $partnerId, quotaId: $quotaId`,`$partnerId: ID!, $quotaId: String!`),invite:Ir(`inviteReseller`,`input: $input`,`$input: InviteResellerInput!`)};function zr({viewer:e}){let[t,n]=j(``),[r,i]=j(``),[a,o]=j([null]),[s,c]=j(null),[l,u]=j(!1),d={first:20,after:a[a.length-1],filter:r?{search:r}:null},f=V(Nr,d,JSON.stringify(d)),p=f.data?.resellers,m=Y(f.data?.partners).filter(e=>e.capabilities.includes(`INVITE_RESELLER`));return O`<div class="screen">
    <div class="screen-head">
      <h1>${I(`nav.resellers`)}</h1>
      ${e.movesMoney&&m.length?O`<button type="button" class="primary" data-testid="action-invite-reseller" aria-expanded=${l?`true`:`false`} onClick=${()=>u(!l)}>${I(`reseller.invite`)}</button>`:null}
    </div>
    ${l?O`<div class="card narrow"><${Hr} partners=${m} onSettled=${f.reload} /></div>`:null}
    <form class="filters" role="search" onSubmit=${e=>(e.preventDefault(),i(t.trim()),o([null]))}>
      <${K} label=${I(`customers.search`)} id="reseller-search">
        <input id="reseller-search" data-testid="reseller-search" type="search" value=${t} onInput=${e=>n(e.currentTarget.value)} />
      <//>
      <button type="submit">${I(`customers.search`)}</button>
    </form>
    <${H} errors=${f.errors} error=${f.error} />
    <div class="table-wrap" aria-busy=${f.loading?`true`:`false`}>
      <table class="table" data-testid="resellers-table">
        <thead><tr>
          <th scope="col">${I(`reseller.name`)}</th><th scope="col">${I(`customers.provider`)}</th><th scope="col">${I(`customers.owner`)}</th>
          <th scope="col" class="num">${I(`reseller.funds`)}</th><th scope="col">${I(`reseller.quotas`)}</th><th scope="col"><span class="sr-only">${I(`reseller.manage`)}</span></th>
        </tr></thead>
        <tbody>
          ${(p?.edges??[]).map(({node:t})=>O`<tr data-testid="reseller-row" data-provider=${t.provider} data-reseller-id=${t.id} key=${t.id}>
              <th scope="row">${t.name}<div class="small muted">${t.partner.name} · ${t.accountName||t.nativeId}</div></th>
              <td><${dn} provider=${t.provider} /></td>
              <td>${t.owner||`—`}</td>
              <td class="num">${t.funds?O`<${G} value=${t.funds.available} />${t.funds.creditLine?O`<div class="small muted">${I(`customer.creditLine`)} <${G} value=${t.funds.creditLine} /></div>`:null}${t.funds.debt&&Number(t.funds.debt.amount)?O`<div class="small muted">${I(`customer.debt`)} <${G} value=${t.funds.debt} /></div>`:null}`:`—`}</td>
              <td>${t.voucherQuotas==null?O`<span class="muted small">${I(`customer.unsupported`)}</span>`:Y(t.voucherQuotas).length?O`<ul class="plain small">${Y(t.voucherQuotas).map(e=>O`<li>${z(e.remaining)} / ${z(e.total)} · ${L(`quotaStatus`,e.status)}</li>`)}</ul>`:O`<span class="muted small">${I(`common.none`)}</span>`}</td>
              <td><button type="button" data-testid="reseller-manage" aria-expanded=${s===t.id?`true`:`false`} onClick=${()=>c(s===t.id?null:t.id)}>${I(`reseller.manage`)}</button></td>
            </tr>
            ${s===t.id?O`<tr><td colspan="6"><${Br} reseller=${t} viewer=${e} onSettled=${f.reload} /></td></tr>`:null}`)}
        </tbody>
      </table>
      ${f.loading?O`<${U} />`:null}
      ${!f.loading&&p&&!p.edges.length?O`<${J} />`:null}
    </div>
    <div class="pager">
      <span role="status">${p?I(`reseller.total`,{n:p.totalCount}):``}</span>
      <button type="button" disabled=${a.length<2} onClick=${()=>o(a.slice(0,-1))}>${I(`common.prev`)}</button>
      <button type="button" disabled=${!p?.pageInfo.hasNextPage} onClick=${()=>o([...a,p.pageInfo.endCursor])}>${I(`common.next`)}</button>
    </div>
  </div>`}function Br({reseller:e,viewer:t,onSettled:n}){let r=V(Pr,{id:e.id},e.id),[i,a]=j(null),o=r.data?.node,s=new Set(e.partner.capabilities),c=[];t.movesMoney&&s.has(`ALLOCATE_RESELLER_FUNDS`)&&c.push(`allocate`,`reclaim-funds`),t.movesMoney&&s.has(`GRANT_VOUCHER_QUOTA`)&&c.push(`grant-quota`);let l=()=>{r.reload(),n()},u=[{id:`amount`,label:I(`common.amount`),type:`money`}],d=t=>({resellerId:e.id,amount:{amount:t.amount.trim(),currency:`CNY`}}),f=Y(o?.partner?.voucherQuotas).filter(e=>e.status===`ACTIVE`),p={allocate:()=>O`<${Z} name="allocate" kind="allocateResellerFunds" target=${e.id} title=${I(`reseller.allocate`)}
      mutation=${Rr.allocate} field="allocateResellerFunds" fields=${u} build=${d} onSettled=${l} />`,"reclaim-funds":()=>O`<${Z} name="reclaim-funds" kind="reclaimResellerFunds" target=${e.id} title=${I(`reseller.reclaim`)}
      mutation=${Rr.reclaim} field="reclaimResellerFunds" fields=${u} build=${d} onSettled=${l} />`,"grant-quota":()=>O`<${Z} name="grant-quota" kind="grantVoucherQuota" target=${e.id} title=${I(`reseller.grant`)}
      mutation=${Rr.grant} field="grantVoucherQuota" onSettled=${l}
      fields=${[{id:`parent`,label:I(`reseller.parentQuota`),type:`select`,placeholder:I(`form.choose`),options:f.map(e=>({value:e.nativeId,label:`${e.nativeId} · ${I(`voucher.remaining`)} ${z(e.remaining)}`}))},...u]}
      build=${t=>({resellerId:e.id,parentQuotaId:t.parent,amount:{amount:t.amount.trim(),currency:`CNY`}})} />`},m=Y(e.voucherQuotas);return O`<div class="panel" data-testid="reseller-panel">
    <${H} errors=${r.errors?.filter(e=>e.extensions?.code!==`UNSUPPORTED_BY_PROVIDER`)} error=${r.error} />
    <div class="grid">
      <div>
        <h3>${I(`reseller.fundMovements`)}</h3>
        ${r.loading?O`<${U} />`:o?.fundMovements==null?O`<p class="muted small">${I(`customer.unsupported`)}</p>`:Y(o.fundMovements).length?O`<ul class="plain small">${Y(o.fundMovements).map(e=>O`<li>${L(`ledger`,e.kind)} <${G} value=${e.amount} /> · ${B(e.occurredAt)}</li>`)}</ul>`:O`<${J} />`}
        <h3>${I(`reseller.quotaMovements`)}</h3>
        ${r.loading?null:o?.quotaMovements==null?O`<p class="muted small">${I(`customer.unsupported`)}</p>`:Y(o.quotaMovements).length?O`<ul class="plain small">${Y(o.quotaMovements).map(e=>O`<li>${L(`quotaMove`,e.kind)} <${G} value=${e.amount} /> ${e.succeeded?``:O`<${W} tone="bad">${I(`reseller.refused`)}<//>`} · ${B(e.occurredAt)}</li>`)}</ul>`:O`<${J} />`}
      </div>
      <div>
        <${Vr} id=${e.id} />
        ${m.length&&t.movesMoney&&s.has(`GRANT_VOUCHER_QUOTA`)?O`<h3>${I(`reseller.quotas`)}</h3>
          <ul class="plain small">${m.map(e=>O`<li>${e.nativeId}: ${z(e.remaining)} / ${z(e.total)} · ${L(`quotaStatus`,e.status)} ${e.validUntil?`· ${an(e.validUntil)}`:``}
            ${e.status===`ACTIVE`?O` <button type="button" class="danger" data-testid="action-reclaim-quota" onClick=${()=>a(`quota:${e.nativeId}`)}>${I(`reseller.reclaimQuota`)}</button>`:null}</li>`)}</ul>`:null}
      </div>
    </div>
    ${c.length?O`<div class="actions" role="group" aria-label=${I(`customer.actions`)}>
      ${c.map(e=>O`<button type="button" data-testid=${`action-${e}`} class=${i===e?`primary`:``} aria-expanded=${i===e?`true`:`false`} onClick=${()=>a(i===e?null:e)}>${I(`actionButton.${e}`)}</button>`)}
    </div>`:t.movesMoney?null:O`<p class="small muted"><span aria-hidden="true">⊘ </span>${I(`customer.noMoney`)}</p>`}
    ${i&&p[i]?p[i]():null}
    ${i?.startsWith(`quota:`)?O`<${Z} key=${i} name="reclaim-quota" kind="reclaimVoucherQuota" target=${e.id}
        title=${I(`reseller.reclaimQuotaOf`,{id:i.slice(6)})} mutation=${Rr.reclaimQuota} field="reclaimVoucherQuota" fields=${[]}
        submitLabel=${I(`reseller.reclaimQuota`)} onSettled=${l} build=${()=>({partnerId:e.partner.id,quotaId:i.slice(6)})} />`:null}
  </div>`}function Vr({id:e}){let[t,n]=j(!1),r=V(Fr,{id:e},e,{skip:!t}),i=r.data?.node?.performance;return t?O`<div>
    <h3>${I(`reseller.standing`)}</h3>
    <${H} errors=${r.errors} error=${r.error} />
    ${r.loading?O`<${U} />`:null}
    ${i?O`<p>${I(`reseller.performance`)}: <strong><${G} value=${i.performance} /></strong></p>
      ${i.upgrade?O`<p>${i.upgrade.reached?O`<${W} tone="good">${I(`overview.lineReached`,{line:z(i.upgrade.line)})}<//>`:I(`overview.lineToGo`,{line:z(i.upgrade.line),toGo:z(i.upgrade.toGo)})}</p>`:null}
      ${i.rebate?O`<p>${i.rebate.tier?I(`overview.tier`,{tier:i.rebate.tier,rate:i.rebate.rate}):I(`overview.belowTiers`)}</p>`:null}`:null}
  </div>`:O`<button type="button" data-testid="reseller-standing" onClick=${()=>n(!0)}>${I(`reseller.showStanding`)}</button>`}function Hr({partners:e,onSettled:t}){let[n,r]=j(e[0]?.id);return O`<div>
    <${K} label=${I(`common.partner`)} id="invite-reseller-partner">
      <select id="invite-reseller-partner" value=${n} onChange=${e=>r(e.currentTarget.value)}>
        ${e.map(e=>O`<option value=${e.id}>${e.name}</option>`)}
      </select>
    <//>
    <${Z} key=${n} name="invite-reseller" kind="inviteReseller" target=${`new-reseller:${n}`} title=${I(`reseller.invite`)}
      mutation=${Rr.invite} field="inviteReseller" onSettled=${t}
      fields=${[{id:`name`,label:I(`reseller.name`),type:`text`},{id:`email`,label:I(`customer.email`),type:`email`}]}
      build=${e=>({input:{partnerId:n,name:e.name.trim(),email:e.email.trim()}})} />
  </div>`}var Ur=[`POTENTIAL_OPPORTUNITY`,`CONFIRMED_OPPORTUNITY`,`SOLUTION_COMMUNICATION`,`BUSINESS_NEGOTIATION`,`SIGNED`,`REVENUE_RECOGNIZED`],Wr=`id number name customerName stage status winRate approval customerConfirmed opportunityId owner version updatedAt partner { provider name }`,Gr=`query Projects($filter: ProjectFilterInput) { projects(first: 100, filter: $filter) { totalCount nodes { ${Wr} } } }`,Kr=`__typename
  ... on ProjectPayload { project { ${Wr} } }
  ... on MutationError { message code }
  ... on ProjectRuleViolationError { rule }
  ... on RuleViolationError { reason }`,qr={approve:`mutation Approve($id: ID!, $version: Int!, $approved: Boolean!, $note: String!) {
    recordProjectApproval(projectId: $id, version: $version, approved: $approved, note: $note) { ${Kr} } }`,confirm:`mutation Confirm($id: ID!, $version: Int!) { confirmProject(projectId: $id, version: $version) { ${Kr} } }`,advance:`mutation Advance($id: ID!, $version: Int!, $to: ProjectStage!) {
    advanceProject(projectId: $id, version: $version, to: $to) { ${Kr} } }`,lost:`mutation Lost($id: ID!, $version: Int!, $reason: String!) {
    closeProjectLost(projectId: $id, version: $version, reason: $reason) { ${Kr} } }`},Jr=`mutation FileProject($input: FileProjectInput!, $idempotencyKey: String!) {
  fileProject(input: $input, idempotencyKey: $idempotencyKey) { __typename
    ... on ProjectPayload { replayed project { id number name } }
    ... on MutationError { message code }
    ... on ProjectRuleViolationError { rule }
    ... on RuleViolationError { reason } } }`,Yr=`query FindCustomers($search: String!) { customers(first: 10, filter: { search: $search, status: ASSOCIATED }) { nodes { id name provider nativeId } } }`;function Xr({viewer:e}){let[t,n]=j(!1),[r,i]=j(!1),[a,o]=j(null),s=V(Gr,{filter:t?null:{status:`IN_PROGRESS`}},String(t)),c=Y(s.data?.projects),l=async(e,t,n,r)=>{o(null);try{let i=await xt(qr[e],{id:t.id,version:t.version,...n}),a=Object.values(i.data??{})[0];if(a?.__typename===`ProjectPayload`)o({tone:`good`,text:I(`project.done`,{what:r,name:t.name})});else{let e=a?`${a.message} (${a.rule||a.reason||a.code})`:i.errors?.[0]?.message;o({tone:`bad`,text:I(`project.refused`,{what:r,why:e})})}}catch(e){o({tone:`bad`,text:e.message})}s.reload()};return O`<div class="screen">
    <div class="screen-head">
      <h1>${I(`nav.projects`)}</h1>
      <div class="row">
        <label class="inline"><input type="checkbox" data-testid="projects-show-closed" checked=${t} onChange=${e=>n(e.currentTarget.checked)} /> ${I(`project.showClosed`)}</label>
        <button type="button" class="primary" data-testid="action-file-project" aria-expanded=${r?`true`:`false`} onClick=${()=>i(!r)}>${I(`project.file`)}</button>
      </div>
    </div>
    ${r?O`<div class="card narrow"><${Qr} onSettled=${()=>s.reload()} /></div>`:null}
    ${a?O`<p class=${`alert alert-${a.tone===`good`?`good`:`error`}`} role="status" data-testid="project-message">
      <span aria-hidden="true">${a.tone===`good`?`✓ `:`✕ `}</span>${a.text}</p>`:null}
    <${H} errors=${s.errors} error=${s.error} />
    ${s.loading&&!c.length?O`<${U} />`:null}
    <div class="board" data-testid="projects-board">
      ${Ur.map((t,n)=>{let r=c.filter(e=>e.stage===t);return O`<section class="column" aria-labelledby=${`stage-${t}`} data-testid="project-column" data-stage=${t}>
          <h2 id=${`stage-${t}`}><span>${n+1}. ${L(`stage`,t)}</span><span class="muted" aria-label=${I(`project.count`,{n:r.length})}>${r.length}</span></h2>
          <ol>${r.map(t=>O`<${Zr} key=${t.id} project=${t} next=${Ur[n+1]} change=${l} viewer=${e} />`)}</ol>
        </section>`})}
    </div>
  </div>`}function Zr({project:e,next:t,change:n}){let[r,i]=j(!1),[a,o]=j(``),s=e.status===`IN_PROGRESS`;return O`<li class="project" data-testid="project-card" data-project-id=${e.id} data-stage=${e.stage} data-status=${e.status}>
    <h3>${e.name}</h3>
    <div class="small">${e.customerName} · <span class="muted">#${e.number} · ${L(`provider`,e.partner.provider)}</span></div>
    <div class="small">${I(`project.winRate`,{rate:e.winRate})}${e.owner?` · ${e.owner}`:``}</div>
    <div class="row small">
      ${e.status===`IN_PROGRESS`?null:O`<${W} tone=${e.status===`WON`?`good`:`bad`}>${L(`projectStatus`,e.status)}<//>`}
      ${e.approval===`NOT_REQUIRED`?null:O`<${W} tone=${e.approval===`APPROVED`?`good`:e.approval===`REJECTED`?`bad`:`wait`} data-testid="project-approval" data-approval=${e.approval}>${L(`approval`,e.approval)}<//>`}
      ${e.approval===`NOT_REQUIRED`?null:O`<${W} tone=${e.customerConfirmed?`good`:`wait`} data-testid="project-confirmation" data-confirmed=${String(e.customerConfirmed)}>${e.customerConfirmed?I(`project.confirmed`):I(`project.unconfirmed`)}<//>`}
    </div>
    ${s?O`<div class="actions">
      ${e.approval===`PENDING`?O`
        <button type="button" data-testid="project-approve" onClick=${()=>n(`approve`,e,{approved:!0,note:``},I(`project.approve`))}>${I(`project.approve`)}</button>
        <button type="button" class="danger" data-testid="project-reject" onClick=${()=>n(`approve`,e,{approved:!1,note:``},I(`project.reject`))}>${I(`project.reject`)}</button>`:null}
      ${e.approval===`APPROVED`&&!e.customerConfirmed?O`<button type="button" data-testid="project-confirm" onClick=${()=>n(`confirm`,e,{},I(`project.confirm`))}>${I(`project.confirm`)}</button>`:null}
      ${t?O`<button type="button" data-testid="project-advance" aria-label=${I(`project.advanceTo`,{stage:L(`stage`,t)})} onClick=${()=>n(`advance`,e,{to:t},I(`project.advanceTo`,{stage:L(`stage`,t)}))}>${I(`project.advance`)} <span aria-hidden="true">→</span></button>`:null}
      <button type="button" class="link" data-testid="project-lost" aria-expanded=${r?`true`:`false`} onClick=${()=>i(!r)}>${I(`project.lost`)}</button>
    </div>`:null}
    ${r?O`<form class="stack" onSubmit=${t=>(t.preventDefault(),a.trim()&&n(`lost`,e,{reason:a.trim()},I(`project.lost`)))}>
      <${K} label=${I(`project.lostReason`)} id=${`lost-${e.id}`}><input id=${`lost-${e.id}`} value=${a} onInput=${e=>o(e.currentTarget.value)} /><//>
      <button type="submit" class="danger">${I(`project.lost`)}</button>
    </form>`:null}
  </li>`}function Qr({onSettled:e}){let[t,n]=j(``),[r,i]=j(null);return O`<div class="stack">
    <form class="row" onSubmit=${async e=>{if(e.preventDefault(),!t.trim())return;let n=await xt(Yr,{search:t.trim()}).catch(()=>null);i(Y(n?.data?.customers))}} role="search">
      <${K} label=${I(`project.findCustomer`)} id="project-customer-search">
        <input id="project-customer-search" data-testid="project-customer-search" type="search" value=${t} onInput=${e=>n(e.currentTarget.value)} />
      <//>
      <button type="submit">${I(`customers.search`)}</button>
    </form>
    ${r&&!r.length?O`<p class="muted">${I(`customers.noneFound`)}</p>`:null}
    ${r?.length?O`<${Z} name="file-project" kind="fileProject" target="projects" title=${I(`project.file`)} mutation=${Jr}
        field="fileProject" onSettled=${e}
        fields=${[{id:`customer`,label:I(`customers.name`),type:`select`,placeholder:I(`form.choose`),options:r.map(e=>({value:e.id,label:`${e.name} (${L(`provider`,e.provider)} ${e.nativeId})`}))},{id:`name`,label:I(`project.name`),type:`text`},{id:`winRate`,label:I(`project.winRateLabel`),type:`number`,initial:`10`}]}
        build=${e=>({input:{customerId:e.customer,name:e.name.trim(),winRate:String(e.winRate)}})} />`:null}
  </div>`}var $r=`query Audit($first: Int, $after: String, $filter: AuditFilterInput) {
  auditLog(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id at principal operation partnerAccount input outcome errorCode requestIds operationId durationMs } } }`,ei=`query Deliveries($first: Int, $after: String, $filter: WebhookDeliveryFilterInput) {
  webhookDeliveries(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id webhook eventId eventType subject status attempts nextAttemptAt lastAttemptAt lastResponseStatus lastError deliveredAt createdAt } } }`,ti=`mutation Redeliver($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename
  ... on WebhookDeliveryPayload { delivery { id status } } ... on MutationError { message code } } }`,ni=[`SUCCEEDED`,`RECONCILED`,`REPLAYED`,`FAILED`,`REJECTED`,`CONFLICT`,`NOT_APPLIED`,`PENDING`],ri={SUCCEEDED:`good`,RECONCILED:`good`,REPLAYED:`info`,PENDING:`wait`,DELIVERED:`good`,DEAD:`bad`};function ii(){let[e,t]=j(`audit`);return O`<div class="screen">
    <h1>${I(`nav.audit`)}</h1>
    <div class="tabs" role="tablist">
      ${[`audit`,`webhooks`].map(n=>O`<button type="button" role="tab" id=${`tab-${n}`} aria-controls=${`panel-${n}`} aria-selected=${e===n?`true`:`false`}
        data-testid=${`tab-${n}`} onClick=${()=>t(n)}>${I(`audit.tab.${n}`)}</button>`)}
    </div>
    <div role="tabpanel" id=${`panel-${e}`} aria-labelledby=${`tab-${e}`}>${e===`audit`?O`<${si} />`:O`<${ci} />`}</div>
  </div>`}function ai(e,t){let[n,r]=j([null]),i={first:50,after:n[n.length-1],filter:t};return{...V(e,i,JSON.stringify(i)),pages:n,setPages:r}}function oi({connection:e,pages:t,setPages:n}){return O`<div class="pager">
    <span role="status">${e?I(`audit.total`,{n:e.totalCount}):``}</span>
    <button type="button" disabled=${t.length<2} onClick=${()=>n(t.slice(0,-1))}>${I(`common.prev`)}</button>
    <button type="button" disabled=${!e?.pageInfo.hasNextPage} onClick=${()=>n([...t,e.pageInfo.endCursor])}>${I(`common.next`)}</button>
  </div>`}function si(){let[e,t]=j({operation:``,outcome:``,principal:``}),n=Object.fromEntries(Object.entries(e).filter(([,e])=>e)),r=ai($r,Object.keys(n).length?n:null),i=r.data?.auditLog,a=n=>i=>(t({...e,[n]:i.currentTarget.value}),r.setPages([null]));return O`<div>
    <form class="filters" onSubmit=${e=>e.preventDefault()}>
      <${K} label=${I(`audit.operation`)} id="audit-operation"><input id="audit-operation" data-testid="audit-operation" value=${e.operation} onChange=${a(`operation`)} /><//>
      <${K} label=${I(`audit.principal`)} id="audit-principal"><input id="audit-principal" value=${e.principal} onChange=${a(`principal`)} /><//>
      <${K} label=${I(`audit.outcome`)} id="audit-outcome">
        <select id="audit-outcome" data-testid="audit-outcome" value=${e.outcome} onChange=${a(`outcome`)}>
          <option value="">${I(`common.all`)}</option>${ni.map(e=>O`<option value=${e}>${e}</option>`)}
        </select>
      <//>
    </form>
    <${H} errors=${r.errors} error=${r.error} />
    <div class="table-wrap"><table class="table" data-testid="audit-table">
      <thead><tr><th scope="col">${I(`common.at`)}</th><th scope="col">${I(`audit.operation`)}</th><th scope="col">${I(`audit.principal`)}</th><th scope="col">${I(`audit.outcome`)}</th><th scope="col">${I(`audit.detail`)}</th></tr></thead>
      <tbody>${Y(i).map(e=>O`<tr data-testid="audit-row" data-outcome=${e.outcome}>
        <td>${B(e.at)}</td>
        <th scope="row"><code>${e.operation}</code>${e.partnerAccount?O`<div class="small muted">${e.partnerAccount}</div>`:null}</th>
        <td>${e.principal}</td>
        <td><${W} tone=${ri[e.outcome]||`bad`}>${e.outcome}<//>${e.errorCode?O`<div class="small"><code>${e.errorCode}</code></div>`:null}</td>
        <td class="small"><details><summary>${I(`audit.input`)}</summary><pre>${JSON.stringify(e.input,null,2)}</pre></details>
          ${e.operationId?O`<div class="muted">${I(`outcome.operation`)} ${e.operationId}</div>`:null}
          ${e.durationMs==null?null:O`<div class="muted">${e.durationMs} ms</div>`}</td>
      </tr>`)}</tbody>
    </table>
    ${r.loading?O`<${U} />`:Y(i).length?null:O`<${J} />`}</div>
    <${oi} connection=${i} pages=${r.pages} setPages=${r.setPages} />
  </div>`}function ci(){let[e,t]=j(``),[n,r]=j(null),i=ai(ei,e?{status:e}:null),a=i.data?.webhookDeliveries,o=async e=>{let t=await xt(ti,{id:e.id}).catch(e=>({errors:[e]})),n=t.data?.redeliverWebhook;r(n?.__typename===`WebhookDeliveryPayload`?{ok:!0,text:I(`audit.redelivered`,{id:e.eventId})}:{ok:!1,text:n?.message||t.errors?.[0]?.message}),i.reload()};return O`<div>
    <form class="filters" onSubmit=${e=>e.preventDefault()}>
      <${K} label=${I(`common.status`)} id="delivery-status">
        <select id="delivery-status" data-testid="delivery-status" value=${e} onChange=${e=>(t(e.currentTarget.value),i.setPages([null]))}>
          <option value="">${I(`common.all`)}</option>${[`PENDING`,`DELIVERED`,`DEAD`].map(e=>O`<option value=${e}>${L(`delivery`,e)}</option>`)}
        </select>
      <//>
    </form>
    ${n?O`<p class=${`alert ${n.ok?`alert-good`:`alert-error`}`} role="status">${n.text}</p>`:null}
    <${H} errors=${i.errors} error=${i.error} />
    <div class="table-wrap"><table class="table" data-testid="deliveries-table">
      <thead><tr><th scope="col">${I(`audit.event`)}</th><th scope="col">${I(`audit.webhook`)}</th><th scope="col">${I(`common.status`)}</th><th scope="col">${I(`audit.attempts`)}</th><th scope="col">${I(`audit.last`)}</th><th scope="col"><span class="sr-only">${I(`audit.redeliver`)}</span></th></tr></thead>
      <tbody>${Y(a).map(e=>O`<tr data-testid="delivery-row" data-status=${e.status}>
        <th scope="row"><code>${e.eventType}</code><div class="small muted">${e.subject} · ${B(e.createdAt)}</div></th>
        <td>${e.webhook}</td>
        <td><${W} tone=${ri[e.status]||`wait`}>${L(`delivery`,e.status)}<//></td>
        <td>${e.attempts}</td>
        <td class="small">${e.lastAttemptAt?B(e.lastAttemptAt):`—`} ${e.lastResponseStatus?O`<code>HTTP ${e.lastResponseStatus}</code>`:null} ${e.lastError||``}
          ${e.nextAttemptAt?O`<div class="muted">${I(`audit.next`,{at:B(e.nextAttemptAt)})}</div>`:null}</td>
        <td>${e.status===`PENDING`?null:O`<button type="button" data-testid="redeliver" onClick=${()=>o(e)}>${I(`audit.redeliver`)}</button>`}</td>
      </tr>`)}</tbody>
    </table>
    ${i.loading?O`<${U} />`:Y(a).length?null:O`<${J}>${I(`audit.noDeliveries`)}<//>`}</div>
    <${oi} connection=${a} pages=${i.pages} setPages=${i.setPages} />
  </div>`}var li=`query Viewer { viewer { name role owner movesMoney } }`,ui=[{id:`overview`,roles:[`ADMIN`,`FINANCE`,`SALES`]},{id:`customers`,roles:[`ADMIN`,`FINANCE`,`SALES`]},{id:`invite`,roles:[`ADMIN`,`FINANCE`,`SALES`]},{id:`resellers`,roles:[`ADMIN`,`FINANCE`]},{id:`projects`,roles:[`ADMIN`,`FINANCE`,`SALES`]},{id:`notifications`,roles:[`ADMIN`,`FINANCE`,`SALES`]},{id:`audit`,roles:[`ADMIN`]}];function di(){Pt();let[e,t]=j(null),[n,r]=j(null),[i,a]=j(null),[o,s]=j(Ye()),[c,l]=j(null);M(()=>{bt(e=>a(e||I(`signin.expired`)));let e=Xe(e=>{s(e),l(null),$t()});return $e().then(async e=>{try{let t=await at(e.auth?.oidc);t?.returnTo&&(location.hash=t.returnTo)}catch(e){a(`${I(`signin.oidcFailed`)}: ${e.message}`)}t(e)}).catch(r),e},[]);let u=e&&(e.auth?.open||o);return M(()=>{if(!u)return;let e=!0;return xt(li).then(t=>{e&&(t.data?.viewer?(l(t.data.viewer),Zt({withHistory:t.data.viewer.role!==`SALES`})):r(Error(t.errors?.[0]?.message||`viewer`)))}).catch(t=>e&&t.status!==401&&r(t)),()=>{e=!1}},[u,o]),n?O`<main class="boot"><${H} error=${n} /></main>`:e?u?c?O`<${fi} viewer=${c} config=${e} />`:O`<${U} label=${I(`signin.checking`)} />`:O`<${fn} config=${e} notice=${i} />`:O`<${U} />`}function fi({viewer:e,config:t}){let n=Rt(),r=tn(),i=ui.filter(t=>t.roles.includes(e.role)),a=i.find(e=>e.id===n.screen)?n.screen:`overview`;M(()=>{document.title=`${I(`nav.${a}`)} · ${I(`app.title`)}`});let o=Ne(!0);return M(()=>{o.current?o.current=!1:document.getElementById(`main`)?.focus({preventScroll:!1})},[a,n.id]),O`<div class="shell">
    <a class="skip" href="#main" onClick=${e=>(e.preventDefault(),document.getElementById(`main`)?.focus())}>${I(`app.skip`)}</a>
    <header class="top">
      <div class="brand"><span class="logo" aria-hidden="true">◆</span> ${I(`app.title`)}</div>
      <div class="who">
        <span data-testid="signed-in-role" data-role=${e.role.toLowerCase()} class="role">
          <span class="role-name">${L(`role`,e.role)}</span>
          <span class="muted"> · ${e.owner||e.name}</span>
        </span>
        <${Ft} />
        ${t.auth?.open?O`<span class="badge badge-warn" title=${I(`signin.openHint`)}><span aria-hidden="true">! </span>${I(`signin.open`)}</span>`:O`<button type="button" class="link" data-testid="signout" onClick=${()=>Ze(null)}>${I(`signin.out`)}</button>`}
      </div>
    </header>
    <nav class="side" aria-label=${I(`nav.label`)}>
      <ul>
        ${i.map(e=>O`<li>
            <a href=${Lt(e.id)} data-testid=${`nav-${e.id}`} aria-current=${e.id===a?`page`:void 0}>
              ${I(`nav.${e.id}`)}
              ${e.id===`notifications`&&r.unread?O` <span class="count" aria-label=${I(`notifications.unread`,{n:r.unread})}>${r.unread}</span>`:null}
            </a>
          </li>`)}
      </ul>
    </nav>
    <main id="main" tabindex="-1">${pi(a,n,e)}</main>
  </div>`}function pi(e,t,n){switch(e){case`customers`:return t.id?O`<${hr} id=${t.id} viewer=${n} />`:O`<${rr} viewer=${n} />`;case`invite`:return O`<${jr} viewer=${n} />`;case`resellers`:return O`<${zr} viewer=${n} />`;case`projects`:return O`<${Xr} viewer=${n} />`;case`notifications`:return O`<${zn} viewer=${n} />`;case`audit`:return O`<${ii} />`;default:return O`<${Kn} viewer=${n} />`}}me(O`<${di} />`,document.getElementById(`app`));